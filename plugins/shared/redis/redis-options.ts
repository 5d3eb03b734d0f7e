import type { RedisOptions } from 'ioredis';

/** ioredis options from a `redis://` or `rediss://` URL (user, password, database number, TLS). */
export function redisOptionsFromUrl(url: string): RedisOptions {
    const parsed = new URL(url);
    const db = parsed.pathname.replace('/', '');
    return {
        // IPv6 hosts come bracketed in URLs; ioredis wants the bare address.
        host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port ? Number(parsed.port) : 6379,
        ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
        ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
        ...(db ? { db: Number(db) } : {}),
        ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    };
}

/**
 * Options of the suite's own Redis clients: they fail fast (no offline queue, one retry, a 1 s
 * command timeout, a 2 s connect timeout), so no request waits on a Redis that is down; they keep
 * reconnecting in the background, at most every 5 s, so the feature comes back by itself; and a
 * disconnect does not wait the default 2 s for a socket to a Redis already gone.
 *
 * `server` is a `redis://` or `rediss://` URL, or connection options (host, port, credentials).
 */
export function failFastRedisOptions(server: string | RedisOptions, connectionName: string): RedisOptions {
    return {
        ...(typeof server === 'string' ? redisOptionsFromUrl(server) : server),
        connectionName,
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 1000,
        connectTimeout: 2000,
        retryStrategy: (attempt: number) => Math.min(attempt * 500, 5000),
        disconnectTimeout: 200,
    };
}
