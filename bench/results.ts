/** Where the benchmarks find the project and write their results (docs/BENCHMARKS.md). */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';

/** The project folder, wherever the compiled bench was written to. */
export const PROJECT_ROOT = (function findRoot(dir: string): string {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the bench');
    return findRoot(parent);
})(__dirname);

export const RESULTS_FILE = path.join(PROJECT_ROOT, 'docs/BENCHMARKS.md');

/**
 * Replaces one benchmark's section of docs/BENCHMARKS.md (between `<!-- name:start -->` and
 * `<!-- name:end -->`), leaving the other sections as they are, formatted as `npm run lint` expects.
 */
export async function writeBenchmarkSection(name: string, content: string): Promise<void> {
    const startMarker = `<!-- ${name}:start -->`;
    const endMarker = `<!-- ${name}:end -->`;
    const section = `${startMarker}\n\n${content.trim()}\n${endMarker}`;
    let current = '';
    try {
        current = await fs.readFile(RESULTS_FILE, 'utf8');
    } catch {
        current = '# Benchmarks\n';
    }
    const start = current.indexOf(startMarker);
    const end = current.indexOf(endMarker);
    const next =
        start >= 0 && end > start
            ? current.slice(0, start) + section + current.slice(end + endMarker.length)
            : `${current.trimEnd()}\n\n${section}\n`;
    const prettier = await import('prettier');
    const options = await prettier.resolveConfig(RESULTS_FILE);
    await fs.mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await fs.writeFile(RESULTS_FILE, await prettier.format(next, { ...options, filepath: RESULTS_FILE }));
}
