import { Injector, RequestContext, ScheduledTask } from '@vendure/core';

import { DEFAULT_SWEEP_SCHEDULE } from '../constants';
import { DispatchSweepResult, DispatchSweepService } from '../services/dispatch-sweep.service';

/**
 * Runs one dispatch sweep now (what the scheduled task does each time): heartbeat expiry, the Redis
 * index reconciled with the database, lost dispatch jobs re-queued, direct dispatch while the
 * job queue is unreachable, and the alerts of deliveries that became delayed.
 */
export function runDispatchSweep(injector: Injector, ctx: RequestContext): Promise<DispatchSweepResult> {
    return injector.get(DispatchSweepService).sweep(ctx);
}

/**
 * The `dispatch-sweep` task, every 20 s by default, so a driver unseen for 45 s is OFFLINE within
 * about a minute. Vendure's database-backed scheduler runs it in one process at a time (the
 * worker, or the server when the worker runs in it).
 */
export function createDispatchSweepTask(schedule = DEFAULT_SWEEP_SCHEDULE): ScheduledTask {
    return new ScheduledTask({
        id: 'dispatch-sweep',
        description:
            'Marks drivers with an expired heartbeat OFFLINE, reconciles the Redis driver index with the ' +
            'database, re-dispatches waiting deliveries and alerts delayed ones',
        schedule,
        execute: async ({ injector, scheduledContext }) => runDispatchSweep(injector, scheduledContext),
    });
}
