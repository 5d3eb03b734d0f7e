// npm run bench [-- <name> [options]]: the benches are built once (by the npm script, into
// dist/bench-build), then the named one runs with its options, or every bench in turn.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist/bench-build/bench');
const available = readdirSync(path.join(root, 'bench'))
    .filter(file => file.endsWith('.bench.ts'))
    .map(file => file.replace(/\.bench\.ts$/, ''))
    .sort();
const [name, ...args] = process.argv.slice(2);
if (name && !available.includes(name)) {
    process.stderr.write(`Unknown bench "${name}"; one of: ${available.join(', ')}\n`);
    process.exit(2);
}
for (const bench of name ? [name] : available) {
    const file = path.join(built, `${bench}.bench.js`);
    if (!existsSync(file)) {
        process.stderr.write(`${file} is missing: run the benches with npm run bench\n`);
        process.exit(2);
    }
    process.stdout.write(`== ${bench}\n`);
    const { status } = spawnSync(process.execPath, [file, ...(name ? args : [])], { stdio: 'inherit' });
    if (status !== 0) process.exit(status ?? 1);
}
