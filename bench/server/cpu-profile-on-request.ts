/**
 * Preloaded into a measured server (`NODE_OPTIONS=--require .../cpu-profile-on-signal.js`, with
 * CPU_PROFILE_DIR set; `--cpu-prof` itself is not allowed in NODE_OPTIONS), so a bench profiles
 * just its load phase: {@link startCpuProfile} starts V8's CPU profiler in the server and
 * {@link stopCpuProfile} stops it, and the server writes `<n>.cpuprofile` into CPU_PROFILE_DIR
 * (open it in Chrome's DevTools). The signal is a file in that folder, polled every 100 ms: a
 * process signal's listener stopped firing here once an inspector session was connected.
 */
import { existsSync, mkdirSync, promises as fs, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const TRIGGER = 'profiling';

/** Asks the server profiling into `dir` to start (resolves once the request is written). */
export async function startCpuProfile(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, TRIGGER), '');
    await new Promise(resolve => setTimeout(resolve, 300));
}

/** Asks it to stop and waits (up to 30 s) for the profile file. */
export async function stopCpuProfile(dir: string): Promise<string | undefined> {
    const before = new Set(await fs.readdir(dir));
    await fs.rm(path.join(dir, TRIGGER), { force: true });
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
        const added = (await fs.readdir(dir)).find(file => file.endsWith('.cpuprofile') && !before.has(file));
        if (added) return path.join(dir, added);
        await new Promise(resolve => setTimeout(resolve, 200));
    }
    return undefined;
}

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
    mkdirSync(dir, { recursive: true });
    rmSync(path.join(dir, TRIGGER), { force: true });
    let session: Session | undefined;
    let written = 0;
    setInterval(() => {
        const wanted = existsSync(path.join(dir, TRIGGER));
        if (wanted && !session) {
            session = new Session();
            session.connect();
            session.post('Profiler.enable', () => session?.post('Profiler.start'));
        } else if (!wanted && session) {
            const running = session;
            session = undefined;
            running.post('Profiler.stop', (error, result) => {
                if (!error)
                    writeFileSync(path.join(dir, `${++written}.cpuprofile`), JSON.stringify(result.profile));
                running.disconnect();
            });
        }
    }, 100).unref();
}
