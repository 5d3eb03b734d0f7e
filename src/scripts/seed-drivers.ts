/**
 * Seeds the simulation's drivers in bulk, for `npm run simulate` at scale:
 *   npm run drivers:seed -- --count 2000 [--sessions FILE]
 * Creates the missing `sim-driver-NNNN@simulation.example` drivers exactly as driver-dispatch's
 * DriverService.create does (a User with a native authentication method, an Administrator with
 * the driver Role, a Driver row: OFFLINE, no position), in a handful of SQL statements with ONE
 * bcrypt hash of the shared password, and gives every one of them a fresh session, written to
 * FILE (default DATA_DIR/simulation/driver-sessions.json) for the simulator. 2000 drivers take
 * seconds instead of 2000 password hashes and 2000 logins.
 * Uses the database the server uses: DATABASE_URL, else the embedded cluster under DATA_DIR (the
 * running one if the server is up). The server must have started once (its default channel).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { BcryptPasswordHashingStrategy } from '@vendure/core';
import { Client } from 'pg';

import { DRIVER_ROLE_CODE, driverSelfPermission } from '../../plugins/driver-dispatch';
import { pgClientConfig } from '../runtime/migrate';
import { connectScriptDatabase, scriptSettingsEnv } from '../runtime/script-database';
import { readSettings } from '../runtime/settings';
import {
    defaultSessionsFile,
    SeededSession,
    SIM_DRIVER_DOMAIN,
    SIM_DRIVER_PASSWORD,
    simDriverEmail,
    simDriverName,
} from '../simulation/simulated-drivers';

const MAX_COUNT = 10_000;
/** Vendure's default session duration (authOptions.sessionDuration '1y'). */
const SESSION_DAYS = 365;
const DEFAULT_CHANNEL_CODE = '__default_channel__';

class UsageError extends Error {}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { count: { type: 'string' }, sessions: { type: 'string' } },
        strict: true,
    });
    const count = Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
        throw new UsageError(`Usage: npm run drivers:seed -- --count N (1..${MAX_COUNT}) [--sessions FILE]`);
    }
    const sessionsFile = path.resolve(values.sessions ?? defaultSessionsFile());
    const started = Date.now();
    const settings = readSettings(scriptSettingsEnv(process.env));
    const { database, embedded } = await connectScriptDatabase(settings, message => console.error(message));
    const client = new Client(pgClientConfig(database));
    await client.connect();
    try {
        const passwordHash = await new BcryptPasswordHashingStrategy().hash(SIM_DRIVER_PASSWORD);
        await client.query('BEGIN');
        const { created, sessions } = await seed(client, count, passwordHash);
        await client.query('COMMIT');
        await fs.mkdir(path.dirname(sessionsFile), { recursive: true });
        // Bearer tokens: readable by this user only.
        await fs.writeFile(sessionsFile, JSON.stringify(sessions, null, 1), { mode: 0o600 });
        console.log(
            `${count} simulation drivers (${created} created, ${count - created} existing), ` +
                `${sessions.length} sessions in ${sessionsFile}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
    } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
    } finally {
        await client.end();
        await embedded?.stop();
    }
}

async function seed(
    client: Client,
    count: number,
    passwordHash: string,
): Promise<{ created: number; sessions: SeededSession[] }> {
    const channel = await client.query<{ id: number }>('SELECT id FROM channel WHERE code = $1', [
        DEFAULT_CHANNEL_CODE,
    ]);
    if (!channel.rows.length) {
        throw new UsageError(
            'The database has no default channel yet: start the server once (npm start) first',
        );
    }
    const channelId = channel.rows[0].id;
    const roleId = await driverRole(client, channelId);

    const emails = Array.from({ length: count }, (_, index) => simDriverEmail(index));
    const existing = await client.query<{ emailAddress: string }>(
        'SELECT "emailAddress" FROM driver WHERE "emailAddress" = ANY($1::text[])',
        [emails],
    );
    const have = new Set(existing.rows.map(row => row.emailAddress));
    const missing = emails.map((email, index) => ({ email, index })).filter(({ email }) => !have.has(email));
    if (missing.length) {
        const identifiers = missing.map(({ email }) => email);
        // What AdministratorService.create does: User (verified), NativeAuthenticationMethod, the
        // Role, the Administrator; then DriverService.create's Driver row (OFFLINE, no position).
        const users = await client.query<{ id: number; identifier: string }>(
            `INSERT INTO "user" (identifier, verified) SELECT unnest($1::text[]), true RETURNING id, identifier`,
            [identifiers],
        );
        const userIds = idsInOrder(
            identifiers,
            users.rows.map(row => [row.identifier, row.id]),
        );
        await client.query(
            `INSERT INTO authentication_method (type, identifier, "passwordHash", "userId")
             SELECT 'NativeAuthenticationMethod', unnest($1::text[]), $2, unnest($3::int[])`,
            [identifiers, passwordHash, userIds],
        );
        await client.query(`INSERT INTO user_roles_role ("userId", "roleId") SELECT unnest($1::int[]), $2`, [
            userIds,
            roleId,
        ]);
        const names = missing.map(({ index }) => simDriverName(index));
        const split = names.map(name => ({
            first: name.slice(0, name.lastIndexOf(' ')),
            last: name.slice(name.lastIndexOf(' ') + 1),
        }));
        const administrators = await client.query<{ id: number; emailAddress: string }>(
            `INSERT INTO administrator ("firstName", "lastName", "emailAddress", "userId")
             SELECT unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::int[])
             RETURNING id, "emailAddress"`,
            [split.map(name => name.first), split.map(name => name.last), identifiers, userIds],
        );
        const administratorIds = idsInOrder(
            identifiers,
            administrators.rows.map(row => [row.emailAddress, row.id]),
        );
        await client.query(
            `INSERT INTO driver (name, "emailAddress", status, "isDemo", "administratorId")
             SELECT unnest($1::text[]), unnest($2::text[]), 'OFFLINE', false, unnest($3::int[])`,
            [names, identifiers, administratorIds],
        );
    }

    // A fresh session for each: what a login would create (AuthenticatedSession, native, 1 year).
    const logins = await client.query<{ userId: number; emailAddress: string }>(
        `SELECT a."userId", d."emailAddress" FROM driver d
         JOIN administrator a ON a.id = d."administratorId" AND a."deletedAt" IS NULL
         WHERE d."emailAddress" = ANY($1::text[])`,
        [emails],
    );
    const sessions = logins.rows.map(row => ({
        emailAddress: row.emailAddress,
        userId: row.userId,
        token: randomBytes(32).toString('hex'),
    }));
    await client.query(
        `INSERT INTO session (type, token, expires, invalidated, "authenticationStrategy", "userId")
         SELECT 'AuthenticatedSession', unnest($1::text[]), now() + make_interval(days => $2), false, 'native', unnest($3::int[])`,
        [sessions.map(session => session.token), SESSION_DAYS, sessions.map(session => session.userId)],
    );
    sessions.sort((a, b) => a.emailAddress.localeCompare(b.emailAddress));
    return {
        created: missing.length,
        sessions: sessions.map(({ emailAddress, token }) => ({ emailAddress, token })),
    };
}

/** The ids RETURNING gave, in the order of `keys` (RETURNING promises no order). */
function idsInOrder(keys: string[], returned: Array<[string, number]>): number[] {
    const byKey = new Map(returned);
    return keys.map(key => {
        const id = byKey.get(key);
        if (id === undefined) throw new Error(`No row was created for ${key}`);
        return id;
    });
}

/** The driver Role, created as DriverService does when no driver was ever created. */
async function driverRole(client: Client, channelId: number): Promise<number> {
    const role = await client.query<{ id: number }>('SELECT id FROM role WHERE code = $1', [
        DRIVER_ROLE_CODE,
    ]);
    if (role.rows.length) return role.rows[0].id;
    const created = await client.query<{ id: number }>(
        `INSERT INTO role (code, description, permissions) VALUES ($1, $2, $3) RETURNING id`,
        [
            DRIVER_ROLE_CODE,
            'Driver: reports their own position and status, works on their own deliveries',
            driverSelfPermission.Permission,
        ],
    );
    await client.query('INSERT INTO role_channels_channel ("roleId", "channelId") VALUES ($1, $2)', [
        created.rows[0].id,
        channelId,
    ]);
    return created.rows[0].id;
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(error instanceof UsageError ? error.message : error);
        console.error(`(simulation drivers are sim-driver-NNNN@${SIM_DRIVER_DOMAIN})`);
        process.exit(1);
    },
);
