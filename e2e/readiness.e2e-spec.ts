import http from 'node:http';
import { AddressInfo } from 'node:net';

import { createTestEnvironment } from '@vendure/testing';

import { demoInitialData } from '../src/demo/populate-demo';
import { ReadinessPlugin } from '../src/readiness/readiness.plugin';
import { e2eConfig } from './config/e2e-config';
import { ensureRedisServer, RunningRedis, startRedisServer } from './setup/redis-server';

/** Stands in for Elasticsearch's `GET /_cluster/health` (no Elasticsearch server runs here). */
function fakeClusterHealth(): { url: Promise<string>; setStatus(status: string): void; close(): void } {
    let status = 'green';
    const server = http.createServer((req, res) => {
        if (req.url?.startsWith('/_cluster/health')) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ cluster_name: 'e2e', status }));
        } else {
            res.writeHead(404).end();
        }
    });
    const url = new Promise<string>(resolve =>
        server.listen(0, '127.0.0.1', () =>
            resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
    );
    return { url, setStatus: next => (status = next), close: () => server.close() };
}

const config = e2eConfig(__filename);
const { server } = createTestEnvironment(config);
const elasticsearch = fakeClusterHealth();
let redis: RunningRedis;

interface ReadinessBody {
    status: string;
    failing?: string[];
    parts: Record<string, { state: string; detail?: string }>;
}

async function ready(): Promise<{ status: number; body: ReadinessBody; ms: number }> {
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${config.apiOptions.port}/health/ready`);
    return {
        status: response.status,
        body: (await response.json()) as ReadinessBody,
        ms: Date.now() - started,
    };
}

beforeAll(async () => {
    // A Redis of this suite's own, so stopping it harms no other suite.
    redis = await startRedisServer(ensureRedisServer(() => undefined));
    ReadinessPlugin.init({ redisUrl: redis.url, elasticsearchUrl: await elasticsearch.url, timeoutMs: 1000 });
    await server.init({ initialData: demoInitialData, customerCount: 0 });
}, 120_000);

afterAll(async () => {
    await server.destroy();
    await redis.stop();
    elasticsearch.close();
});

describe('GET /health/ready', () => {
    it('answers 200 with the state of each configured part', async () => {
        const { status, body } = await ready();
        expect(status).toBe(200);
        expect(body).toEqual({
            status: 'ready',
            parts: {
                database: { state: 'up' },
                redis: { state: 'up' },
                elasticsearch: { state: 'up', detail: 'cluster status green' },
            },
        });
    });

    it('answers 503 naming Elasticsearch when its cluster is red', async () => {
        elasticsearch.setStatus('red');
        const { status, body } = await ready();
        elasticsearch.setStatus('green');
        expect(status).toBe(503);
        expect(body.failing).toEqual(['elasticsearch']);
        expect(body.parts.elasticsearch).toEqual({ state: 'down', detail: 'cluster status red' });
        expect(body.parts.database.state).toBe('up');
    });

    it('answers 503 naming Redis when Redis is down, without waiting for it', async () => {
        await redis.stop();
        const { status, body, ms } = await ready();
        expect(status).toBe(503);
        expect(body.failing).toEqual(['redis']);
        expect(body.parts.redis.state).toBe('down');
        expect(body.parts.database.state).toBe('up');
        // Bounded by the check timeout (1 s here), not by Redis reconnect attempts.
        expect(ms).toBeLessThan(5_000);
    });
});
