import { parseArgs } from 'node:util';

export type LoadProfile = 'steady' | 'peak';

/** What `npm run simulate -- ...` was asked to do. */
export interface SimulationOptions {
    /** The server's base URL (shop API and admin API below it). */
    url: string;
    drivers: number;
    /** Orders per city minute; set, it replaces the profile's rate. */
    ordersPerMinute?: number;
    profile: LoadProfile;
    /** Length of the run, wall-clock minutes. */
    minutes: number;
    /** The city moves this many times faster than the wall clock. */
    speedup: number;
    seed: number;
    speedKmh: number;
    /** Driver pings, wall-clock seconds. */
    pingSeconds: number;
    /** How often an idle driver asks for an assignment, wall-clock seconds. */
    pollSeconds: number;
    /** Share of deliveries the first assigned driver declines. */
    declineRate: number;
    /** Share of deliveries that fail at the door. */
    failRate: number;
    /** Requests in flight at once, over the whole simulation. */
    concurrency: number;
    json: boolean;
    adminUsername: string;
    adminPassword: string;
    /** Sessions written by `npm run drivers:seed`; without it (or for a stale one) drivers log in. */
    sessionsFile?: string;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run simulate -- [options]
  --url URL                 server (default http://localhost:$PORT or :3000); loopback only unless --allow-remote
  --drivers N               simulated drivers (default 20); more than 50: run npm run drivers:seed -- --count N first
  --orders-per-minute R     orders per city minute (default: from --profile and the fleet's capacity)
  --profile steady|peak     steady: 60% of capacity; peak: 250% of capacity in the middle half (default steady)
  --minutes M               wall-clock length of the run (default 2)
  --speedup S               the city moves S times faster than the wall clock (default 10)
  --seed N                  the same seed replays the same city (default 1)
  --speed-kmh K             driving speed (default 20)
  --ping-seconds S          driver pings, wall-clock seconds (default 15)
  --poll-seconds S          idle drivers ask for work this often, wall-clock seconds (default 3)
  --decline-rate P          share of deliveries the first driver declines (default 0.05)
  --fail-rate P             share of deliveries that fail at the door (default 0.02)
  --concurrency N           requests in flight at once (default 16)
  --sessions FILE           driver sessions from npm run drivers:seed (default: DATA_DIR/simulation/driver-sessions.json if present)
  --admin-username U, --admin-password P   staff login (default SUPERADMIN_USERNAME/SUPERADMIN_PASSWORD or superadmin)
  --json                    end with one JSON line of the summary on stdout
`;

type Env = Record<string, string | undefined>;

export function parseSimulationOptions(argv: string[], env: Env = process.env): SimulationOptions {
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            options: {
                url: { type: 'string' },
                'allow-remote': { type: 'boolean' },
                drivers: { type: 'string' },
                'orders-per-minute': { type: 'string' },
                profile: { type: 'string' },
                minutes: { type: 'string' },
                speedup: { type: 'string' },
                seed: { type: 'string' },
                'speed-kmh': { type: 'string' },
                'ping-seconds': { type: 'string' },
                'poll-seconds': { type: 'string' },
                'decline-rate': { type: 'string' },
                'fail-rate': { type: 'string' },
                concurrency: { type: 'string' },
                sessions: { type: 'string' },
                'admin-username': { type: 'string' },
                'admin-password': { type: 'string' },
                json: { type: 'boolean' },
                help: { type: 'boolean' },
            },
        }));
    } catch (error) {
        throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    }
    if (values.help) throw new UsageError(USAGE);
    const text = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
    const number = (name: string, fallback: number, min: number, max: number, integer = false) => {
        const raw = text(name);
        if (raw === undefined) return fallback;
        const value = Number(raw);
        if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
            throw new UsageError(
                `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}"`,
            );
        }
        return value;
    };

    const url = text('url') ?? `http://localhost:${env.PORT?.trim() || '3000'}`;
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new UsageError(`--url is not a URL: "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new UsageError(`--url must be http(s), got "${url}"`);
    }
    if (!isLoopback(parsed.hostname) && !values['allow-remote']) {
        throw new UsageError(
            `--url ${url} is not on this machine: a load simulator only drives another host with --allow-remote`,
        );
    }
    const profile = text('profile') ?? 'steady';
    if (profile !== 'steady' && profile !== 'peak') {
        throw new UsageError(`--profile must be steady or peak, got "${profile}"`);
    }
    const opm = text('orders-per-minute');
    return {
        url: url.replace(/\/+$/, ''),
        drivers: number('drivers', 20, 1, 10_000, true),
        ordersPerMinute: opm === undefined ? undefined : number('orders-per-minute', 0, 0.01, 10_000),
        profile,
        minutes: number('minutes', 2, 0.05, 24 * 60),
        speedup: number('speedup', 10, 1, 1000),
        seed: number('seed', 1, 0, 2 ** 32 - 1, true),
        speedKmh: number('speed-kmh', 20, 1, 200),
        pingSeconds: number('ping-seconds', 15, 1, 40),
        pollSeconds: number('poll-seconds', 3, 0.2, 60),
        declineRate: number('decline-rate', 0.05, 0, 1),
        failRate: number('fail-rate', 0.02, 0, 1),
        concurrency: number('concurrency', 16, 1, 256, true),
        json: values.json === true,
        adminUsername: text('admin-username') ?? (env.SUPERADMIN_USERNAME?.trim() || 'superadmin'),
        adminPassword: text('admin-password') ?? (env.SUPERADMIN_PASSWORD?.trim() || 'superadmin'),
        sessionsFile: text('sessions'),
    };
}

function isLoopback(hostname: string): boolean {
    return (
        hostname === 'localhost' ||
        hostname === '[::1]' ||
        hostname === '::1' ||
        /^127(\.\d{1,3}){3}$/.test(hostname)
    );
}
