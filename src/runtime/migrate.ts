import { runMigrations, VendureConfig } from '@vendure/core';
import { Client, ClientConfig } from 'pg';

import type { DatabaseConnection } from '../../vendure-config';

// Any fixed 64-bit number: the advisory lock that serialises migrations across processes.
const MIGRATION_LOCK_KEY = 730_415_002;

/**
 * Runs pending migrations, one process at a time: N servers and M workers starting together
 * wait on a PostgreSQL advisory lock instead of racing to apply the same migration.
 */
export async function runMigrationsExclusively(
    config: VendureConfig,
    database: DatabaseConnection,
): Promise<string[]> {
    const client = new Client(pgClientConfig(database));
    await client.connect();
    try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        return await runMigrations(config);
    } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await client.end();
    }
}

/** node-postgres client settings for a database connection of the Vendure config. */
export function pgClientConfig(database: DatabaseConnection): ClientConfig {
    return 'url' in database
        ? { connectionString: database.url }
        : {
              host: database.host,
              port: database.port,
              user: database.username,
              password: database.password,
              database: database.database,
          };
}
