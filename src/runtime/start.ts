import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { bootstrap, bootstrapWorker, DefaultLogger, JobQueueService, Logger, LogLevel } from '@vendure/core';

import { describeError } from '../../plugins/shared/errors';
import { createVendureConfig, DatabaseConnection } from '../../vendure-config';
import { populateDemoMarketplace } from '../demo/populate-demo';
import { ReadinessService } from '../readiness/readiness.service';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrationsExclusively } from './migrate';
import { describeRuntime, readSettings, RuntimeSettings } from './settings';
import { installShutdown, ShutdownStep } from './shutdown';

const loggerCtx = 'QuickDelivery';

export interface StartedProcess {
    settings: RuntimeSettings;
    app: INestApplicationContext;
    embeddedDatabase?: EmbeddedDatabase;
}

/**
 * Starts the server (shop API, admin API, readiness) and, in the embedded default, the worker in
 * the same process; populates the demo marketplace on first start when asked to.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<StartedProcess> {
    const { settings, config, embeddedDatabase } = await prepare(env, 'server');
    const app: INestApplication = await stopDatabaseOnFailure(bootstrap(config), embeddedDatabase);
    if (settings.workerInProcess) await app.get(JobQueueService).start();
    const shutdown = installShutdown(shutdownSteps(app, embeddedDatabase));
    Logger.info(
        `Server listening on http://localhost:${settings.port} (shop-api, admin-api, health/ready)`,
        loggerCtx,
    );
    if (settings.demoData) {
        const task = app.get(ReadinessService).startupTask('demo-data', 'populating the demo marketplace');
        try {
            await populateDemoMarketplace(app);
            task.done();
        } catch (error) {
            Logger.error(`Demo data: ${describeError(error)}`, loggerCtx);
            shutdown('Demo data could not be populated', true);
        }
    }
    return { settings, app, embeddedDatabase };
}

/** Starts a job-queue worker process (production: any number of them beside the servers). */
export async function startWorker(env: NodeJS.ProcessEnv = process.env): Promise<StartedProcess> {
    const { settings, config, embeddedDatabase } = await prepare(env, 'worker');
    const worker = await stopDatabaseOnFailure(bootstrapWorker(config), embeddedDatabase);
    await worker.startJobQueue();
    installShutdown(shutdownSteps(worker.app, embeddedDatabase));
    return { settings, app: worker.app, embeddedDatabase };
}

async function prepare(env: NodeJS.ProcessEnv, role: 'server' | 'worker') {
    const settings = readSettings(env);
    Logger.useLogger(new DefaultLogger({ level: LogLevel.Info }));
    if (settings.database.kind === 'embedded') {
        // The embedded default is a local demo on machines that may have no internet.
        env.VENDURE_DISABLE_TELEMETRY ??= 'true';
    }
    Logger.info(`Starting ${role}: ${describeRuntime(settings)}`, loggerCtx);

    let embeddedDatabase: EmbeddedDatabase | undefined;
    let database: DatabaseConnection;
    if (settings.database.kind === 'embedded') {
        embeddedDatabase = await startEmbeddedPostgres({
            dataDir: settings.database.dataDir,
            port: settings.database.port,
            database: 'vendure',
            log: message => Logger.info(message, loggerCtx),
        });
        Logger.info(`Embedded PostgreSQL on 127.0.0.1:${embeddedDatabase.port}`, loggerCtx);
        database = embeddedDatabase;
    } else {
        database = { url: settings.database.url };
    }
    // A config object is consumed by Vendure's pre-bootstrap (plugins add their custom fields to
    // it): migrations and bootstrap each get their own.
    const applied = await stopDatabaseOnFailure(
        runMigrationsExclusively(createVendureConfig(settings, database), database),
        embeddedDatabase,
    );
    if (applied.length) Logger.info(`Applied migrations: ${applied.join(', ')}`, loggerCtx);
    return { settings, config: createVendureConfig(settings, database), embeddedDatabase };
}

/** A failed start must not leave the embedded PostgreSQL running without its app. */
async function stopDatabaseOnFailure<T>(step: Promise<T>, embeddedDatabase?: EmbeddedDatabase): Promise<T> {
    try {
        return await step;
    } catch (error) {
        await embeddedDatabase?.stop();
        throw error;
    }
}

function shutdownSteps(app: INestApplicationContext, embeddedDatabase?: EmbeddedDatabase): ShutdownStep[] {
    const steps: ShutdownStep[] = [
        // Closes the HTTP server, stops the job queue (running jobs finish), Redis and the database.
        { name: 'close Vendure', run: () => app.close() },
    ];
    if (embeddedDatabase)
        steps.push({ name: 'stop embedded PostgreSQL', run: () => embeddedDatabase.stop() });
    return steps;
}
