import { Client } from 'pg';

import { e2eEnv } from '../config/e2e-env';

export interface E2eDatabase {
    host: string;
    port: number;
    username: string;
    password: string;
    database: string;
}

/** Drops and creates a database of the suite's own on the e2e PostgreSQL. */
export async function freshDatabase(name: string): Promise<E2eDatabase> {
    const server = {
        host: e2eEnv('pgHost'),
        port: Number(e2eEnv('pgPort')),
        username: e2eEnv('pgUser'),
        password: e2eEnv('pgPassword'),
    };
    const client = new Client({ ...server, user: server.username, database: 'postgres' });
    await client.connect();
    try {
        await client.query(`DROP DATABASE IF EXISTS ${name}`);
        await client.query(`CREATE DATABASE ${name}`);
    } finally {
        await client.end();
    }
    return { ...server, database: name };
}

/** The database as a DATABASE_URL, for the app started as a user would. */
export function databaseUrl(db: E2eDatabase): string {
    return `postgres://${encodeURIComponent(db.username)}:${encodeURIComponent(db.password)}@${db.host}:${db.port}/${db.database}`;
}
