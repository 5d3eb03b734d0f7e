// Type-checks the dashboard extensions (plugins/*/dashboard) against @vendure/dashboard's source,
// which ships as TypeScript and is not error-free under our settings: only diagnostics in our own
// files fail the check.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const configPath = path.join(root, 'tsconfig.dashboard.json');
const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath);
const program = ts.createProgram(parsed.fileNames, parsed.options);
const ours = ts
    .getPreEmitDiagnostics(program)
    .filter(diagnostic => diagnostic.file && !diagnostic.file.fileName.includes('/node_modules/'));
if (ours.length) {
    const host = { getCanonicalFileName: f => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    process.stderr.write(ts.formatDiagnosticsWithColorAndContext(ours, host));
    process.exit(1);
}
console.log(`dashboard extensions: ${parsed.fileNames.length} files type-check`);
