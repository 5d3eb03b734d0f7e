import { ChildProcess, spawn } from 'node:child_process';

import { freePort } from '../../src/runtime/embedded-postgres';
import { installDebianPackages, which } from './debian-packages';

export interface RunningRedis {
    url: string;
    stop(): Promise<void>;
}

/**
 * Finds Debian's `redis-server`: on PATH, else installed with apt-get when running as root where
 * apt-get exists (saying so), else an error naming what to install.
 */
export function ensureRedisServer(log: (message: string) => void): string {
    const found = which('redis-server');
    if (found) return found;
    log('redis-server is not installed');
    installDebianPackages(
        ['redis-server'],
        'The e2e tests need Redis: set REDIS_URL to a Redis 7 server, or install redis-server ' +
            '(Debian/Ubuntu: sudo apt-get install -y redis-server).',
        log,
    );
    const installed = which('redis-server');
    if (!installed) throw new Error('apt-get installed redis-server, but it is not on PATH');
    return installed;
}

/**
 * Starts a throw-away Redis on a loopback port (a free one unless given: the fault suite restarts
 * Redis on the port its clients know), without persistence.
 */
export async function startRedisServer(binary: string, port?: number): Promise<RunningRedis> {
    port ??= await freePort();
    const child: ChildProcess = spawn(
        binary,
        [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--daemonize',
            'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
        let output = '';
        const onData = (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('Ready to accept connections')) resolve();
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', code => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
    return {
        url: `redis://127.0.0.1:${port}`,
        stop: () =>
            new Promise(resolve => {
                if (child.exitCode !== null) return resolve();
                child.once('exit', () => resolve());
                child.kill('SIGTERM');
            }),
    };
}
