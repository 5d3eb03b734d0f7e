import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';

/** One POST the receiver got. */
export interface ReceivedWebhook {
    path: string;
    headers: IncomingHttpHeaders;
    body: string;
    at: number;
}

/**
 * A real HTTP receiver on loopback: records every request per path and answers with the status
 * `respond` chooses (200 unless told otherwise), as a shop's endpoint would.
 */
export class WebhookReceiver {
    readonly received: ReceivedWebhook[] = [];
    respond: (request: ReceivedWebhook, earlier: ReceivedWebhook[]) => number = () => 200;
    private server: http.Server | undefined;

    async start(port = 0): Promise<number> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on('data', (chunk: Buffer) => chunks.push(chunk));
            req.on('end', () => {
                const request = {
                    path: req.url ?? '',
                    headers: req.headers,
                    body: Buffer.concat(chunks).toString('utf8'),
                    at: Date.now(),
                };
                const earlier = this.at(request.path);
                this.received.push(request);
                res.statusCode = this.respond(request, earlier);
                res.end('ok');
            });
        });
        await new Promise<void>(resolve => this.server?.listen(port, '127.0.0.1', resolve));
        return (this.server.address() as AddressInfo).port;
    }

    at(path: string): ReceivedWebhook[] {
        return this.received.filter(request => request.path === path);
    }

    async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (!server) return;
        server.closeAllConnections();
        await new Promise<void>(resolve => server.close(() => resolve()));
    }
}

/**
 * The README's receiver snippet, as a receiver would write it (independently of the plugin's
 * code): HMAC-SHA256 over `t.body`, compared in constant time, `t` within the tolerance.
 */
export function receiverAccepts(
    header: string | string[] | undefined,
    rawBody: string,
    secret: string,
    toleranceSeconds = 300,
): boolean {
    const parts = Object.fromEntries(
        String(header ?? '')
            .split(',')
            .map(part => part.split('=')),
    ) as Record<string, string | undefined>;
    const t = Number(parts.t);
    if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
    const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
    const given = Buffer.from(parts.v1 ?? '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
}
