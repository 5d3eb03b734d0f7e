import { Injector, Logger } from '@vendure/core';
import { Redis } from 'ioredis';

import { describeError } from '../../../shared/errors';
import {
    closeRedisClient,
    connectRedisClient,
    createRedisClient,
    RedisOutageLog,
} from '../../../shared/redis';
import { DispatchLiveEvent } from '../../api/dispatch-live-events';
import { DEFAULT_REDIS_KEY_PREFIX, loggerCtx } from '../../constants';
import { DispatchEventLog, LoggedDispatchEvent } from './dispatch-event-log';
import { compareEventIds } from './event-id';

/** Options of the {@link RedisDispatchEventLog}. */
export interface RedisDispatchEventLogOptions {
    /** `redis://` or `rediss://` URL of the Redis server (6.2 or later: exclusive XRANGE). */
    redisUrl: string;
    /** About how many events the stream keeps (XADD MAXLEN ~): how far back a resume reaches. */
    retention: number;
    /**
     * Key of the Redis Stream. The hash tag keeps it beside the plugin's other keys on a cluster.
     *
     * @default '{driver-dispatch}:dispatch:events'
     */
    key?: string;
}

/** How long one XREAD waits for new entries before it asks again. */
const BLOCK_MS = 5000;
/** Entries per XREAD and per XRANGE page. */
const PAGE_SIZE = 500;
/** Pause of the read loop after a failed read (Redis down), before it tries again. */
const RETRY_MS = 1000;
const FIELD = 'event';

/**
 * The event log of several processes: a Redis Stream. Each process appends the events it produced
 * (XADD, trimmed to about `retention` entries) and, once it has a stream client, reads the stream
 * with one blocking XREAD loop on a connection of its own, fanning the entries out to its
 * listeners. So every process sees every process's events, in one order, and the entry id is the
 * id a client resumes from (XRANGE after it).
 *
 * The clients fail fast (no offline queue, short timeouts), as elsewhere in the suite: while Redis
 * is down an append rejects at once, the read loop retries every second from the last id it saw,
 * and picks up what was appended meanwhile (up to the retention) when Redis answers again.
 */
export class RedisDispatchEventLog implements DispatchEventLog {
    private readonly key: string;
    private readonly listeners = new Set<(entry: LoggedDispatchEvent) => void>();
    private writer: Redis;
    private reader: Redis | undefined;
    private reading: Promise<void> | undefined;
    private started: Promise<void> | undefined;
    private stopped = false;
    private wake: (() => void) | undefined;
    private readonly writerOutage = new RedisOutageLog(
        'Live event stream',
        loggerCtx,
        'events are not shared',
    );
    private readonly readerOutage = new RedisOutageLog(
        'Live event stream reader',
        loggerCtx,
        `retrying every ${RETRY_MS} ms`,
    );

    constructor(private readonly options: RedisDispatchEventLogOptions) {
        this.key = options.key ?? `${DEFAULT_REDIS_KEY_PREFIX}:dispatch:events`;
    }

    /** Connects; a Redis that is down at start is not an error (appends fail until it is back). */
    async init(_injector?: Injector): Promise<void> {
        this.writer = createRedisClient({
            server: this.options.redisUrl,
            connectionName: 'driver-dispatch:events',
            outageLog: this.writerOutage,
        });
        await connectRedisClient(this.writer);
    }

    async destroy(): Promise<void> {
        this.stopped = true;
        this.wake?.();
        // Ends the blocking XREAD at once: it rejects and the loop sees `stopped`.
        this.reader?.disconnect();
        await this.reading;
        await closeRedisClient(this.writer);
    }

    async append(event: DispatchLiveEvent): Promise<void> {
        await this.writer.xadd(
            this.key,
            'MAXLEN',
            '~',
            String(this.options.retention),
            '*',
            FIELD,
            JSON.stringify(event),
        );
    }

    /** One pipeline of XADDs: one round trip, the stream's order that of `events`. */
    async appendMany(events: DispatchLiveEvent[]): Promise<void> {
        const pipeline = this.writer.pipeline();
        for (const event of events) {
            pipeline.xadd(
                this.key,
                'MAXLEN',
                '~',
                String(this.options.retention),
                '*',
                FIELD,
                JSON.stringify(event),
            );
        }
        const results = await pipeline.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error('Appending to the live event log was aborted');
    }

    async readAfter(afterId: string): Promise<LoggedDispatchEvent[] | 'gone'> {
        const [first] = await this.writer.xrange(this.key, '-', '+', 'COUNT', 1);
        const [last] = await this.writer.xrevrange(this.key, '+', '-', 'COUNT', 1);
        // Resumable only from an id the stream still holds: older ones were trimmed, newer ones
        // come from a stream that was reset (Redis restarted empty).
        if (!first || !last) return 'gone';
        if (compareEventIds(afterId, first[0]) < 0 || compareEventIds(afterId, last[0]) > 0) return 'gone';
        const entries: LoggedDispatchEvent[] = [];
        let from = afterId;
        for (;;) {
            const page = await this.writer.xrange(this.key, `(${from}`, '+', 'COUNT', PAGE_SIZE);
            for (const [id, fields] of page) {
                const event = parseEvent(fields);
                if (event) entries.push({ id, event });
            }
            if (page.length < PAGE_SIZE) return entries;
            from = page[page.length - 1][0];
        }
    }

    async subscribe(listener: (entry: LoggedDispatchEvent) => void): Promise<() => void> {
        this.listeners.add(listener);
        // Only processes that serve streams read the stream (a worker appends, never reads).
        if (!this.reading) {
            let started: () => void = () => undefined;
            this.started = new Promise(resolve => (started = resolve));
            this.reading = this.readLoop(started);
        }
        await this.started;
        return () => this.listeners.delete(listener);
    }

    /**
     * Reads the stream until {@link destroy}. `started` is called once the loop knows where it
     * reads from (or found Redis down: then it starts from the newest entry when Redis is back).
     */
    private async readLoop(started: () => void): Promise<void> {
        // Blocking reads need a connection of their own, with a timeout longer than the block.
        const reader = this.writer.duplicate({
            connectionName: 'driver-dispatch:events-reader',
            commandTimeout: BLOCK_MS + 2000,
        });
        this.reader = reader;
        reader.on('error', () => undefined); // reported once per outage below
        let lastId: string | undefined;
        while (!this.stopped) {
            try {
                if (reader.status === 'wait' || reader.status === 'end') await reader.connect();
                // From the newest entry now: later reads continue from the last id seen, so
                // nothing appended between two reads (or during an outage) is skipped.
                lastId ??= (await reader.xrevrange(this.key, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
                started();
                const answer = await reader.xread(
                    'COUNT',
                    PAGE_SIZE,
                    'BLOCK',
                    BLOCK_MS,
                    'STREAMS',
                    this.key,
                    lastId,
                );
                this.readerOutage.back();
                for (const [, entries] of answer ?? []) {
                    for (const [id, fields] of entries) {
                        lastId = id;
                        const event = parseEvent(fields);
                        if (event) this.deliver({ id, event });
                    }
                }
            } catch (error) {
                started();
                if (this.stopped) break;
                this.readerOutage.lost(error);
                await this.pause(RETRY_MS);
            }
        }
    }

    private deliver(entry: LoggedDispatchEvent): void {
        for (const listener of this.listeners) {
            try {
                listener(entry);
            } catch (error) {
                Logger.error(`A live event listener failed: ${describeError(error)}`, loggerCtx);
            }
        }
    }

    private pause(ms: number): Promise<void> {
        return new Promise(resolve => {
            const timer = setTimeout(resolve, ms);
            timer.unref();
            this.wake = () => {
                clearTimeout(timer);
                resolve();
            };
        });
    }
}

function parseEvent(fields: string[]): DispatchLiveEvent | undefined {
    for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] !== FIELD) continue;
        try {
            return JSON.parse(fields[i + 1]) as DispatchLiveEvent;
        } catch {
            return undefined;
        }
    }
    return undefined;
}
