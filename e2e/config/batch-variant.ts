/**
 * Imported first by a `*-batch.e2e-spec.ts` file, which then imports another file's suite: that
 * suite runs in batch dispatch mode (in its test server and the app processes it spawns), on a
 * port and database of the variant file's own (e2e-config names them after the running file).
 */
process.env.E2E_DISPATCH_MODE = 'batch';
