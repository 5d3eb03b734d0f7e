import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The path of a command on PATH, or undefined. */
export function which(command: string): string | undefined {
    try {
        return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
        return undefined;
    }
}

/**
 * Installs Debian packages a test run needs, when it runs as root where apt-get exists (saying
 * so; `apt-get update` first only if the install fails); otherwise throws `whenNotAllowed`, which
 * says what to install.
 */
export function installDebianPackages(
    packages: string[],
    whenNotAllowed: string,
    log: (message: string) => void,
): void {
    if (os.userInfo().uid !== 0 || !which('apt-get')) throw new Error(whenNotAllowed);
    log(`installing Debian package${packages.length > 1 ? 's' : ''} ${packages.join(', ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
        execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
            stdio: 'inherit',
            env,
        });
    try {
        install();
    } catch {
        execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
        install();
    }
}
