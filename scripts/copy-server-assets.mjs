// tsc compiles the server into dist/ but copies only what it compiles: the files the compiled
// plugins read at run time (the delivery email templates) are copied beside them here, so that
// dist/ runs on its own (npm run build:server runs this after tsc).
import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
for (const plugin of readdirSync(path.join(root, 'plugins'))) {
    const templates = path.join('plugins', plugin, 'emails', 'templates');
    if (!existsSync(path.join(root, templates))) continue;
    cpSync(path.join(root, templates), path.join(root, 'dist', templates), { recursive: true });
}
