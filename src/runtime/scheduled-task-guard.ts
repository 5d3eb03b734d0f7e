import { Logger, PluginCommonModule, RuntimeVendureConfig, VendurePlugin } from '@vendure/core';

import { describeError } from '../../plugins/shared/errors';

const loggerCtx = 'ScheduledTaskGuard';

/**
 * Vendure 3.7.3's scheduler calls `schedulerStrategy.executeTask(task)(job)` from its cron callback
 * without awaiting it, and `DefaultSchedulerStrategy` reads and writes its lock rows before (and
 * after a failure of) the task itself. While the database is unreachable that promise rejects with
 * nobody to catch it, and Node ends the worker process (seen in the PostgreSQL-restart outage
 * scenario: `connect ECONNREFUSED` as an unhandled rejection). This catches and logs it, so the
 * worker survives the outage and the next run tries again.
 */
export function guardScheduledTasks(config: RuntimeVendureConfig): RuntimeVendureConfig {
    const strategy = config.schedulerOptions.schedulerStrategy;
    const execute = strategy.executeTask.bind(strategy);
    strategy.executeTask = task => {
        const run = execute(task);
        return async job => {
            try {
                return await run(job);
            } catch (error) {
                Logger.error(`Scheduled task "${task.id}" could not run: ${describeError(error)}`, loggerCtx);
                return undefined;
            }
        };
    };
    return config;
}

/** Registers {@link guardScheduledTasks}; it must come after `DefaultSchedulerPlugin` in `plugins`. */
@VendurePlugin({
    imports: [PluginCommonModule],
    configuration: guardScheduledTasks,
    compatibility: '^3.7.0',
})
export class ScheduledTaskGuardPlugin {}
