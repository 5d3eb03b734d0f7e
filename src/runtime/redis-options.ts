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
