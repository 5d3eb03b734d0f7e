/**
 * The dispatch mode the e2e suites run with: `E2E_DISPATCH_MODE=batch` runs them with batch
 * dispatch, windows every `E2E_BATCH_WINDOW_MS` (default 500 ms, so the suites' waits stay short);
 * unset (or `nearest`), the plugin's default. Both the in-process test servers (e2e-config) and the
 * app processes the suites spawn (app-process) follow it.
 */
export type E2eDispatchMode = { dispatchMode: 'nearest' } | { dispatchMode: 'batch'; batchWindowMs: number };

export function e2eDispatchMode(): E2eDispatchMode {
    const mode = process.env.E2E_DISPATCH_MODE;
    if (!mode || mode === 'nearest') return { dispatchMode: 'nearest' };
    if (mode !== 'batch') throw new Error(`E2E_DISPATCH_MODE must be 'nearest' or 'batch', not '${mode}'`);
    const batchWindowMs = Number(process.env.E2E_BATCH_WINDOW_MS ?? 500);
    if (!Number.isInteger(batchWindowMs) || batchWindowMs <= 0) {
        throw new Error(`E2E_BATCH_WINDOW_MS must be a whole number of milliseconds above 0`);
    }
    return { dispatchMode: 'batch', batchWindowMs };
}

/** The same mode as the app's environment (DISPATCH_MODE, DISPATCH_BATCH_WINDOW_MS). */
export function e2eDispatchEnv(): Record<string, string> {
    const mode = e2eDispatchMode();
    if (mode.dispatchMode === 'nearest') return {};
    return { DISPATCH_MODE: 'batch', DISPATCH_BATCH_WINDOW_MS: String(mode.batchWindowMs) };
}
