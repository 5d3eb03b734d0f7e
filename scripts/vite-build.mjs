// What the three front-end build scripts share: with --if-stale (npm start) a build is skipped
// when its output is newer than everything it is built from.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The newest modification time under `entry`, leaving out folders named in `skip`. */
function newest(entry, skip) {
    const stat = statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return readdirSync(entry)
        .filter(name => !skip.includes(name))
        .reduce((latest, name) => Math.max(latest, newest(path.join(entry, name), skip)), stat.mtimeMs);
}

/**
 * Runs vite with `viteOptions` unless --if-stale was given and `built` (a file of the output,
 * relative to the project) is newer than every one of `sources` (relative too).
 */
export async function viteBuild({ name, script, built, sources, skip = [], viteOptions }) {
    const output = path.join(root, built);
    const outputDir = path.dirname(built);
    if (process.argv.includes('--if-stale') && existsSync(output)) {
        const sourceTime = Math.max(...sources.map(source => newest(path.join(root, source), skip)));
        if (statSync(output).mtimeMs > sourceTime) {
            console.log(`${name}: ${outputDir} is up to date (npm run ${script} rebuilds it)`);
            return;
        }
    }
    await build({ logLevel: 'warn', ...viteOptions });
    console.log(`${name}: built into ${outputDir}`);
}
