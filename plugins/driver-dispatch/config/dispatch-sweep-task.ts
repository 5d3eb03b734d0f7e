import { Injector, RequestContext, ScheduledTask } from '@vendure/core';

import { DispatchSweepResult, DispatchSweepService } from '../services/dispatch-sweep.service';

/**
 * Runs one dispatch sweep now (what the scheduled task does each time): heartbeat expiry, lost
 * dispatch jobs re-queued, and direct dispatch while the job queue is unreachable.
 */
export function runDispatchSweep(injector: Injector, ctx: RequestContext): Promise<DispatchSweepResult> {
    return injector.get(DispatchSweepService).sweep(ctx);
}

/**
 * The `dispatch-sweep` task, every 20 s: well inside the 45 s heartbeat window, so a driver unseen
 * for 45 s is OFFLINE within about a minute. Vendure's database-backed scheduler runs it in one
 * process at a time (the worker, or the server when the worker runs in it).
 */
export const dispatchSweepTask = new ScheduledTask({
    id: 'dispatch-sweep',
    description: 'Marks drivers with an expired heartbeat OFFLINE and re-dispatches waiting deliveries',
    schedule: '*/20 * * * * *',
    execute: async ({ injector, scheduledContext }) => runDispatchSweep(injector, scheduledContext),
});
