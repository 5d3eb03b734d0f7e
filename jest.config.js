// Two projects: unit specs beside the code, and e2e suites against real PostgreSQL and Redis
// (started once for the whole run by e2e/setup/global-setup.ts).
/** @type {import('jest').Config} */
const swc = [
    '@swc/jest',
    {
        jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
            target: 'es2022',
        },
        module: { type: 'commonjs', ignoreDynamic: true },
    },
];

module.exports = {
    // A global option (ignored inside a project): e2e steps hash passwords and start servers, and
    // these machines are shared; a slow step must not fail at jest's default of 5 s.
    testTimeout: 120000,
    // Every test file in a fresh worker process (0: recycle the worker after each file). In one
    // process (jest's default on a 2-core machine) what a suite leaves running (a server's pollers
    // and timers, heap) slowed every later suite: the last suites of a clean-clone CI run took 5 to
    // 7 times as long as alone (dispatch-batch 339 s in the run, 45 s alone).
    workerIdleMemoryLimit: 0,
    // The default summary, then each suite against its time budget (scripts/time-budget-reporter.js).
    reporters: ['default', '<rootDir>/scripts/time-budget-reporter.js'],
    projects: [
        {
            displayName: 'unit',
            testEnvironment: 'node',
            testMatch: ['<rootDir>/{src,plugins,migrations,e2e}/**/*.spec.ts'],
            transform: { '^.+\\.tsx?$': swc },
        },
        {
            displayName: 'e2e',
            testEnvironment: 'node',
            testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
            globalSetup: '<rootDir>/e2e/setup/global-setup.ts',
            globalTeardown: '<rootDir>/e2e/setup/global-teardown.ts',
            transform: { '^.+\\.tsx?$': swc },
        },
    ],
};
