import { RuntimeVendureConfig, ScheduledTask, SchedulerStrategy } from '@vendure/core';

import { guardScheduledTasks } from './scheduled-task-guard';

function configWith(strategy: Partial<SchedulerStrategy>): RuntimeVendureConfig {
    return { schedulerOptions: { schedulerStrategy: strategy } } as unknown as RuntimeVendureConfig;
}

const task = new ScheduledTask({ id: 'guarded', schedule: '* * * * *', execute: () => Promise.resolve() });

describe('guardScheduledTasks', () => {
    it('turns a rejected run (the database unreachable) into a logged failure, not an unhandled rejection', async () => {
        const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
            code: 'ECONNREFUSED',
        });
        const config = guardScheduledTasks(configWith({ executeTask: () => () => Promise.reject(refused) }));
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown) => unhandled.push(reason);
        process.on('unhandledRejection', onUnhandled);
        try {
            // As Vendure's scheduler calls it: the returned promise is not awaited by anyone.
            const run = config.schedulerOptions.schedulerStrategy.executeTask(task)();
            await expect(run).resolves.toBeUndefined();
            await new Promise(resolve => setImmediate(resolve));
            expect(unhandled).toEqual([]);
        } finally {
            process.off('unhandledRejection', onUnhandled);
        }
    });

    it('passes a successful run through, with its result', async () => {
        const config = guardScheduledTasks(configWith({ executeTask: () => () => Promise.resolve('done') }));
        await expect(config.schedulerOptions.schedulerStrategy.executeTask(task)()).resolves.toBe('done');
    });
});
