/**
 * The memory baseline: a plain Vendure 3.7.3 server, none of this suite's plugins, only what a
 * fresh Vendure project has for search and jobs (defaultConfig + DefaultSearchPlugin +
 * DefaultJobQueuePlugin), on the suite's own database, so it serves the same catalogue. Started by
 * bench/server/deployment.ts as `node dist/bench-build/bench/server/plain-vendure.js`.
 * The suite's extra columns and tables are left alone: no synchronize, no migrations.
 */
import {
    bootstrap,
    DefaultJobQueuePlugin,
    DefaultLogger,
    DefaultSearchPlugin,
    Logger,
    LogLevel,
    VendureConfig,
} from '@vendure/core';

function required(name: string): string {
    const value = process.env[name]?.trim();
    if (!value) throw new Error(`${name} is required`);
    return value;
}

const config: VendureConfig = {
    apiOptions: { port: Number(required('PORT')), adminApiPath: 'admin-api', shopApiPath: 'shop-api' },
    authOptions: {
        tokenMethod: ['bearer', 'cookie'],
        superadminCredentials: {
            identifier: required('SUPERADMIN_USERNAME'),
            password: required('SUPERADMIN_PASSWORD'),
        },
        cookieOptions: { secret: required('COOKIE_SECRET') },
    },
    dbConnectionOptions: {
        type: 'postgres',
        url: required('DATABASE_URL'),
        synchronize: false,
        logging: false,
    },
    paymentOptions: { paymentMethodHandlers: [] },
    plugins: [DefaultSearchPlugin.init({}), DefaultJobQueuePlugin.init({})],
};

Logger.useLogger(new DefaultLogger({ level: LogLevel.Info }));
bootstrap(config).catch(error => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
