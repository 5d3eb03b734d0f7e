/**
 * The driver-channel bench's client, run as its own process (bench/driver-channel.bench.ts forks
 * it), so the load it makes and the CPU it costs are apart from the bench's own bookkeeping and
 * can be reported. Commands arrive over IPC, one at a time, each answered once:
 *
 * - `connect`: opens driver-channel sockets (`auth` frame with each seeded session token);
 * - `load`: pings over those sockets at a fixed total rate for a number of seconds, while sampling
 *   ping-to-index latency (Redis mode: the driver's entry in the index's positions hash, written
 *   by the same script as the GEO set and the heartbeat) and ping-to-live-map latency (the
 *   `driver.location` event on a staff `GET /dispatch/events` stream) for a few sample drivers;
 * - `mutation`: a closed loop of `updateDriverLocation`, one keep-alive connection per driver;
 * - `close`: closes every socket.
 *
 * All on loopback, bounded in count and time.
 */
import http from 'node:http';

import { Redis } from 'ioredis';
import { WebSocket } from 'ws';

export type LoadCommand =
    | { cmd: 'connect'; port: number; tokens: string[]; concurrency: number }
    | {
          cmd: 'load';
          port: number;
          rate: number;
          seconds: number;
          /** Sample drivers: their own sockets, not part of the load. */
          sampleTokens: string[];
          staffToken: string;
          /** Redis mode: where the index keeps positions (`<namespace>:positions`). */
          redis?: { url: string; positionsKey: string };
      }
    | { cmd: 'mutation'; port: number; tokens: string[]; seconds: number }
    | { cmd: 'close' };

export interface ConnectResult {
    open: number;
    failed: number;
    seconds: number;
}

export interface LoadResult {
    sent: number;
    seconds: number;
    errorFrames: Record<string, number>;
    /** Sockets of the load still open at the end. */
    open: number;
    indexLatencyMs: number[];
    liveMapLatencyMs: number[];
    /** Samples that never showed within their timeout. */
    lostSamples: number;
    /** This process's CPU over the run, in % of one core. */
    clientCpuPercent: number;
}

export interface MutationResult {
    requests: number;
    failures: number;
    seconds: number;
    perSecond: number;
    clientCpuPercent: number;
}

const SAMPLE_EVERY_MS = 50;
const SAMPLE_TIMEOUT_MS = 5000;
const CHICAGO = { latitude: 41.8781, longitude: -87.6298 };

const sockets: WebSocket[] = [];

function send(message: unknown): void {
    process.send?.(message);
}

process.on('message', (command: LoadCommand) => {
    run(command).then(send, (error: unknown) =>
        send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
});

async function run(command: LoadCommand): Promise<unknown> {
    switch (command.cmd) {
        case 'connect':
            return connectAll(command.port, command.tokens, command.concurrency);
        case 'load':
            return load(command);
        case 'mutation':
            return mutationLoop(command.port, command.tokens, command.seconds);
        case 'close':
            for (const socket of sockets.splice(0)) socket.terminate();
            return { closed: true };
    }
}

/** Opens a socket and authenticates it; resolves with the driver id of the ack. */
function openDriverSocket(port: number, token: string): Promise<{ socket: WebSocket; driverId: string }> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/dispatch/driver`);
        const timer = setTimeout(() => {
            socket.terminate();
            reject(new Error('no auth ack within 30 s'));
        }, 30_000);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
        socket.once('message', (data: Buffer) => {
            clearTimeout(timer);
            const frame = JSON.parse(data.toString('utf8')) as { type: string; data?: { driverId?: string } };
            if (frame.type === 'ack' && frame.data?.driverId)
                resolve({ socket, driverId: frame.data.driverId });
            else reject(new Error(`unexpected first frame ${data.toString('utf8').slice(0, 200)}`));
        });
        socket.once('close', code => {
            clearTimeout(timer);
            reject(new Error(`closed with ${code} before the ack`));
        });
        socket.once('error', error => {
            clearTimeout(timer);
            reject(error);
        });
    });
}

async function connectAll(port: number, tokens: string[], concurrency: number): Promise<ConnectResult> {
    const started = Date.now();
    let next = 0;
    let failed = 0;
    const worker = async () => {
        while (next < tokens.length) {
            const token = tokens[next++];
            try {
                const { socket } = await openDriverSocket(port, token);
                sockets.push(socket);
            } catch {
                failed++;
            }
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return {
        open: sockets.filter(s => s.readyState === WebSocket.OPEN).length,
        failed,
        seconds: (Date.now() - started) / 1000,
    };
}

function cpuPercent(since: NodeJS.CpuUsage, wallMs: number): number {
    const used = process.cpuUsage(since);
    return ((used.user + used.system) / 1000 / wallMs) * 100;
}

async function load(command: Extract<LoadCommand, { cmd: 'load' }>): Promise<LoadResult> {
    const errorFrames: Record<string, number> = {};
    for (const socket of sockets) {
        socket.removeAllListeners('message');
        socket.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString('utf8')) as { type: string; code?: string };
            if (frame.type === 'error')
                errorFrames[frame.code ?? '?'] = (errorFrames[frame.code ?? '?'] ?? 0) + 1;
        });
    }
    const sampler = await Sampler.start(command);
    const cpu = process.cpuUsage();
    const started = Date.now();
    const endsAt = started + command.seconds * 1000;
    let sent = 0;
    let socketIndex = 0;
    // Every 10 ms, as many pings as the rate says by now: a steady rate whatever the timer jitter.
    await new Promise<void>(resolve => {
        const tick = setInterval(() => {
            const now = Date.now();
            const due = Math.floor(((Math.min(now, endsAt) - started) / 1000) * command.rate);
            while (sent < due) {
                const socket = sockets[socketIndex++ % sockets.length];
                if (socket.readyState === WebSocket.OPEN) {
                    const step = (sent % 1000) / 100_000;
                    socket.send(
                        JSON.stringify({
                            type: 'location',
                            latitude: CHICAGO.latitude + step,
                            longitude: CHICAGO.longitude - step,
                        }),
                    );
                }
                sent++;
            }
            sampler.maybeSample(now);
            if (now >= endsAt) {
                clearInterval(tick);
                resolve();
            }
        }, 10);
    });
    const seconds = (Date.now() - started) / 1000;
    const clientCpuPercent = cpuPercent(cpu, Date.now() - started);
    const { index, liveMap, lost } = await sampler.finish();
    return {
        sent,
        seconds,
        errorFrames,
        open: sockets.filter(s => s.readyState === WebSocket.OPEN).length,
        indexLatencyMs: index,
        liveMapLatencyMs: liveMap,
        lostSamples: lost,
        clientCpuPercent,
    };
}

interface Sample {
    driverId: string;
    latitude: number;
    longitude: number;
    sentAt: number;
    indexMs?: number;
    liveMapMs?: number;
}

/**
 * Sends a ping of one sample driver every {@link SAMPLE_EVERY_MS} and times when it shows: in the
 * Redis index (polled every millisecond while a sample is out) and on the staff live stream.
 */
class Sampler {
    private readonly samples: Sample[] = [];
    private counter = 0;
    private lastSampleAt = 0;
    private polling: NodeJS.Timeout | undefined;
    private pollBusy = false;

    private constructor(
        private readonly drivers: Array<{ socket: WebSocket; driverId: string }>,
        private readonly stream: http.ClientRequest,
        private readonly redis: Redis | undefined,
        private readonly positionsKey: string | undefined,
    ) {}

    static async start(command: Extract<LoadCommand, { cmd: 'load' }>): Promise<Sampler> {
        const drivers = await Promise.all(
            command.sampleTokens.map(token => openDriverSocket(command.port, token)),
        );
        const redis = command.redis ? new Redis(command.redis.url, { lazyConnect: true }) : undefined;
        await redis?.connect();
        // The stream is open before the sampler exists: lines wait for it here.
        const target: { sampler?: Sampler } = {};
        const stream = await openLiveStream(command.port, command.staffToken, line =>
            target.sampler?.onLiveLine(line),
        );
        const sampler = new Sampler(drivers, stream, redis, command.redis?.positionsKey);
        target.sampler = sampler;
        if (redis) sampler.polling = setInterval(() => void sampler.poll(), 1);
        return sampler;
    }

    maybeSample(now: number): void {
        if (now - this.lastSampleAt < SAMPLE_EVERY_MS) return;
        this.lastSampleAt = now;
        const driver = this.drivers[this.counter % this.drivers.length];
        this.counter++;
        // A position no load ping uses, unique per sample.
        const sample: Sample = {
            driverId: driver.driverId,
            latitude: Number((42.2 + this.counter / 1_000_000).toFixed(6)),
            longitude: -87.9,
            sentAt: Date.now(),
        };
        this.samples.push(sample);
        driver.socket.send(
            JSON.stringify({ type: 'location', latitude: sample.latitude, longitude: sample.longitude }),
        );
    }

    private outstanding(kind: 'indexMs' | 'liveMapMs'): Sample[] {
        const now = Date.now();
        return this.samples.filter(s => s[kind] === undefined && now - s.sentAt < SAMPLE_TIMEOUT_MS);
    }

    private async poll(): Promise<void> {
        const redis = this.redis;
        const key = this.positionsKey;
        if (!redis || !key || this.pollBusy) return;
        // Only the newest sample of each driver can still be found (a later one overwrites it).
        const waiting = latestPerDriver(this.outstanding('indexMs'));
        if (!waiting.length) return;
        this.pollBusy = true;
        try {
            const values = await redis.hmget(key, ...waiting.map(s => s.driverId));
            const now = Date.now();
            waiting.forEach((sample, i) => {
                if (values[i] === `${sample.longitude},${sample.latitude}`)
                    sample.indexMs = now - sample.sentAt;
            });
        } finally {
            this.pollBusy = false;
        }
    }

    onLiveLine(line: string): void {
        // Most lines are the load's own positions: parse only the sample drivers' longitude.
        if (!line.startsWith('data:') || !line.includes('-87.9')) return;
        const data = JSON.parse(line.slice(5)) as { driverId?: string; latitude?: number };
        const now = Date.now();
        for (const sample of this.samples) {
            if (
                sample.liveMapMs === undefined &&
                sample.driverId === data.driverId &&
                sample.latitude === data.latitude
            ) {
                sample.liveMapMs = now - sample.sentAt;
            }
        }
    }

    async finish(): Promise<{ index: number[]; liveMap: number[]; lost: number }> {
        const deadline = Date.now() + SAMPLE_TIMEOUT_MS;
        const pending = () =>
            this.samples.some(s => s.liveMapMs === undefined || (this.redis && s.indexMs === undefined));
        while (pending() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
        if (this.polling) clearInterval(this.polling);
        this.stream.destroy();
        for (const driver of this.drivers) driver.socket.terminate();
        await this.redis?.quit();
        // A sample overwritten by the same driver's next one before the poll saw it is not lost.
        const index = this.samples.flatMap(s => (s.indexMs === undefined ? [] : [s.indexMs]));
        const liveMap = this.samples.flatMap(s => (s.liveMapMs === undefined ? [] : [s.liveMapMs]));
        return { index, liveMap, lost: this.samples.filter(s => s.liveMapMs === undefined).length };
    }
}

function latestPerDriver(samples: Sample[]): Sample[] {
    const latest = new Map<string, Sample>();
    for (const sample of samples) latest.set(sample.driverId, sample);
    return [...latest.values()];
}

/** A staff `GET /dispatch/events` stream, handing each line to `onLine`. */
function openLiveStream(
    port: number,
    token: string,
    onLine: (line: string) => void,
): Promise<http.ClientRequest> {
    return new Promise((resolve, reject) => {
        const request = http.get(
            {
                host: '127.0.0.1',
                port,
                path: '/dispatch/events',
                headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
            },
            response => {
                if (response.statusCode !== 200) {
                    reject(new Error(`the live stream answered ${response.statusCode}`));
                    return;
                }
                let rest = '';
                response.setEncoding('utf8');
                response.on('data', (chunk: string) => {
                    const lines = (rest + chunk).split('\n');
                    rest = lines.pop() ?? '';
                    for (const line of lines) onLine(line);
                });
                response.on('error', () => undefined);
                resolve(request);
            },
        );
        request.on('error', reject);
    });
}

const PING_MUTATION = JSON.stringify({
    query: 'mutation ($lat: Float!, $lng: Float!) { updateDriverLocation(latitude: $lat, longitude: $lng) { id } }',
    variables: { lat: CHICAGO.latitude, lng: CHICAGO.longitude },
});

/** A closed loop of `updateDriverLocation`: one keep-alive connection per driver token. */
async function mutationLoop(port: number, tokens: string[], seconds: number): Promise<MutationResult> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: tokens.length });
    let requests = 0;
    let failures = 0;
    const cpu = process.cpuUsage();
    const started = Date.now();
    const endsAt = started + seconds * 1000;
    await Promise.all(
        tokens.map(async token => {
            while (Date.now() < endsAt) {
                const ok = await postMutation(agent, port, token).catch(() => false);
                if (ok) requests++;
                else failures++;
            }
        }),
    );
    agent.destroy();
    const wall = Date.now() - started;
    return {
        requests,
        failures,
        seconds: wall / 1000,
        perSecond: requests / (wall / 1000),
        clientCpuPercent: cpuPercent(cpu, wall),
    };
}

function postMutation(agent: http.Agent, port: number, token: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
        const request = http.request(
            {
                agent,
                host: '127.0.0.1',
                port,
                path: '/admin-api',
                method: 'POST',
                headers: {
                    'content-type': 'application/json',
                    'content-length': Buffer.byteLength(PING_MUTATION),
                    authorization: `Bearer ${token}`,
                },
                timeout: 30_000,
            },
            response => {
                let text = '';
                response.setEncoding('utf8');
                response.on('data', (chunk: string) => (text += chunk));
                response.on('end', () =>
                    resolve(response.statusCode === 200 && text.includes('"updateDriverLocation":{"id"')),
                );
                response.on('error', reject);
            },
        );
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', reject);
        request.end(PING_MUTATION);
    });
}
