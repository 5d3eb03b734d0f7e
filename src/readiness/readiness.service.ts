import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { TransactionalConnection } from '@vendure/core';
import Redis from 'ioredis';

import { describeError } from '../../plugins/shared/errors';
import { createRedisClient } from '../../plugins/shared/redis';
import { READINESS_PLUGIN_OPTIONS, ReadinessPluginOptions } from './readiness.options';

export type PartState = 'up' | 'down' | 'starting';

export interface PartReport {
    state: PartState;
    detail?: string;
}

export interface ReadinessReport {
    ready: boolean;
    parts: Record<string, PartReport>;
}

/**
 * Checks each part the server depends on: the database always, Redis and Elasticsearch when they
 * are configured, and start-up work (such as populating demo data) that other code registers.
 */
@Injectable()
export class ReadinessService implements OnApplicationShutdown {
    private redis?: Redis;
    private readonly pending = new Map<string, string>();

    constructor(
        private readonly connection: TransactionalConnection,
        @Inject(READINESS_PLUGIN_OPTIONS) private readonly options: ReadinessPluginOptions,
    ) {}

    /** Marks start-up work in progress: the server reports not ready until it is done. */
    startupTask(name: string, detail: string): { done(): void } {
        this.pending.set(name, detail);
        return { done: () => this.pending.delete(name) };
    }

    async check(): Promise<ReadinessReport> {
        const timeoutMs = this.options.timeoutMs ?? 2000;
        const checks: Array<[string, () => Promise<string | undefined>]> = [
            ['database', () => this.checkDatabase()],
        ];
        if (this.options.redisUrl) checks.push(['redis', () => this.checkRedis()]);
        if (this.options.elasticsearchUrl)
            checks.push(['elasticsearch', () => this.checkElasticsearch(timeoutMs)]);

        const parts: Record<string, PartReport> = {};
        await Promise.all(
            checks.map(async ([name, check]) => {
                try {
                    const detail = await withTimeout(check(), timeoutMs, `no answer within ${timeoutMs} ms`);
                    parts[name] = detail ? { state: 'up', detail } : { state: 'up' };
                } catch (error) {
                    parts[name] = {
                        state: 'down',
                        detail: describeError(error),
                    };
                }
            }),
        );
        for (const [name, detail] of this.pending) parts[name] = { state: 'starting', detail };
        return { ready: Object.values(parts).every(part => part.state === 'up'), parts };
    }

    onApplicationShutdown(): void {
        this.redis?.disconnect();
        this.redis = undefined;
    }

    private async checkDatabase(): Promise<undefined> {
        await this.connection.rawConnection.query('SELECT 1');
        return undefined;
    }

    private async checkRedis(): Promise<undefined> {
        if (!this.redis) {
            // Fail fast: a ping to a Redis that is down fails instead of waiting. The report says
            // it is down; no log line of its own.
            this.redis = createRedisClient({
                server: this.options.redisUrl as string,
                connectionName: 'readiness',
                overrides: { maxRetriesPerRequest: 0, connectTimeout: 1000 },
            });
        }
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
        await this.redis.ping();
        return undefined;
    }

    private async checkElasticsearch(timeoutMs: number): Promise<string> {
        const url = new URL('/_cluster/health', this.options.elasticsearchUrl);
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as { status?: string };
        if (body.status === 'red') throw new Error('cluster status red');
        return `cluster status ${body.status ?? 'unknown'}`;
    }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
