// A jest reporter that holds each suite to its time budget: CI gives the whole run (npm ci, the
// builds and jest) 90 minutes on a 2-core machine, so every suite is sized to a budget and the run
// ends with the suites that went over it and the total against the run's budget. It warns rather
// than fails: these machines are shared and noisy, and speed targets live in bench/, not in tests.
const path = require('node:path');

/** Seconds per suite, about 2.5x what each took in a clean-clone CI run here; the rest get DEFAULT. */
const BUDGETS = {
    'e2e/outages.e2e-spec.ts': 360,
    'e2e/faults/fault-suite.e2e-spec.ts': 360,
    'e2e/faults/fault-suite-batch.e2e-spec.ts': 360,
    'e2e/simulate.e2e-spec.ts': 180,
    'e2e/lifecycle.e2e-spec.ts': 150,
    'e2e/dashboard.e2e-spec.ts': 150,
    'e2e/dashboard-delays.e2e-spec.ts': 150,
    'e2e/driver-web-app.e2e-spec.ts': 120,
    // 30 to 110 s here depending on the machine's load (most of it the demo marketplace's setup).
    'e2e/tracking-page-browser.e2e-spec.ts': 180,
    'e2e/tracking-page.e2e-spec.ts': 180,
    // Populates the demo marketplace (four sellers) and checks out twice: ~60 s alone, 120 s on a busy machine.
    'e2e/seller-verification.e2e-spec.ts': 180,
    // The built app's first start (demo populated) and a browser: 140 s on a busy machine.
    'e2e/seller-verification-dashboard.e2e-spec.ts': 240,
    // Six checkouts, retries with real backoff (1 s, 2 s, ...) and a server restart: ~80 s alone.
    'e2e/delivery-webhooks.e2e-spec.ts': 200,
    // The built app's first start (demo populated) and a browser: ~30 s alone.
    'e2e/dashboard-webhooks.e2e-spec.ts': 150,
    // The demo marketplace, five checkouts and the email plugin's send-email jobs: ~60 s alone.
    'e2e/delivery-emails.e2e-spec.ts': 150,
};
const DEFAULT_E2E_SECONDS = 120;
const DEFAULT_UNIT_SECONDS = 30;
/** jest's share of the 90-minute CI limit; npm ci and the builds take most of the rest. */
const RUN_BUDGET_SECONDS = 50 * 60;

class TimeBudgetReporter {
    constructor(globalConfig) {
        this.rootDir = globalConfig.rootDir;
        this.suites = [];
    }

    onTestResult(_test, result) {
        const file = path.relative(this.rootDir, result.testFilePath).split(path.sep).join('/');
        const seconds = (result.perfStats.end - result.perfStats.start) / 1000;
        const budget =
            BUDGETS[file] ?? (file.endsWith('.e2e-spec.ts') ? DEFAULT_E2E_SECONDS : DEFAULT_UNIT_SECONDS);
        this.suites.push({ file, seconds, budget });
    }

    onRunComplete(_contexts, results) {
        const totalSeconds = (Date.now() - results.startTime) / 1000;
        const over = this.suites
            .filter(suite => suite.seconds > suite.budget)
            .sort((a, b) => b.seconds - a.seconds);
        const lines = [
            `Time budgets: jest took ${minutes(totalSeconds)} of its ${minutes(RUN_BUDGET_SECONDS)}.`,
        ];
        if (totalSeconds > RUN_BUDGET_SECONDS)
            lines.push('  Over the run budget: CI (90 minutes in all) is at risk.');
        for (const suite of over) {
            lines.push(
                `  over budget: ${suite.file} took ${Math.round(suite.seconds)} s of ${suite.budget} s`,
            );
        }
        if (!over.length)
            lines.push(
                `  Every suite within its budget (${this.suites.length} ${this.suites.length === 1 ? 'suite' : 'suites'}).`,
            );
        process.stderr.write(`\n${lines.join('\n')}\n`);
    }
}

function minutes(seconds) {
    return `${(seconds / 60).toFixed(1)} min`;
}

module.exports = TimeBudgetReporter;
