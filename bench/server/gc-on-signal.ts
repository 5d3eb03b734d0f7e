/**
 * Preloaded into a measured server (`NODE_OPTIONS=--expose-gc --require .../gc-on-signal.js`):
 * on SIGWINCH it runs a full garbage collection and prints the heap before and after on stderr, so
 * a bench can tell garbage V8 had not collected yet from memory that is still referenced.
 * SIGWINCH: Vendure's bootstrap takes SIGUSR2 (with SIGINT and SIGTERM) as a shutdown signal,
 * and a process without this preload ignores SIGWINCH by default.
 */
export const GC_LINE_PREFIX = 'bench-gc ';

/** What the preload prints after a full GC, in bytes. */
export interface GcReport {
    before: NodeJS.MemoryUsage;
    after: NodeJS.MemoryUsage;
}

const collect = (globalThis as { gc?: () => void }).gc;
if (collect) {
    process.on('SIGWINCH', () => {
        const before = process.memoryUsage();
        // Twice: the first pass can leave objects whose finalizers freed more on the second.
        collect();
        collect();
        const report: GcReport = { before, after: process.memoryUsage() };
        process.stderr.write(`${GC_LINE_PREFIX}${JSON.stringify(report)}\n`);
    });
}
