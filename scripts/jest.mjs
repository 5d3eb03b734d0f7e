// Runs jest with the Node flag @vendure/testing needs on core 3.7 (its dynamic imports fail inside
// jest's VM without it), and with telemetry off: these machines have no internet.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const env = {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning']
        .filter(Boolean)
        .join(' '),
    VENDURE_DISABLE_TELEMETRY: 'true',
};
const result = spawnSync(process.execPath, [jestBin, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
