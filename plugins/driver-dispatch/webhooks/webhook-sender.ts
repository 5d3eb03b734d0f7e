import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

import { describeError } from '../../shared/errors';
import { guardedLookup, isNonPublicAddress, NonPublicTargetError } from './webhook-target';

/** What one POST to an endpoint came to. */
export type WebhookSendResult =
    { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

export interface WebhookRequest {
    url: string;
    body: string;
    headers: Record<string, string>;
    timeoutMs: number;
    allowPrivateTargets: boolean;
}

/** Longest error text kept on a message and its endpoint. */
export const MAX_WEBHOOK_ERROR_LENGTH = 200;
/** The response body is not read beyond this: receivers answer with a status. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * POSTs one event. A 2xx answer is a success; anything else (another status, a redirect, which is
 * not followed, a timeout, a refused or non-public address) is a failure with a short reason that
 * never holds the response's body.
 */
export function postWebhook(request: WebhookRequest): Promise<WebhookSendResult> {
    let url: URL;
    try {
        url = new URL(request.url);
    } catch {
        return Promise.resolve({ ok: false, statusCode: null, error: 'the URL is not valid' });
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // An IP literal is connected to without a lookup: checked here.
    if (!request.allowPrivateTargets && isIP(host) && isNonPublicAddress(host)) {
        return Promise.resolve({
            ok: false,
            statusCode: null,
            error: `refused: ${host} is a private, loopback or link-local address`,
        });
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise(resolve => {
        let settled = false;
        const finish = (result: WebhookSendResult) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(result);
        };
        const outgoing = client.request(
            url,
            {
                method: 'POST',
                headers: { ...request.headers, 'Content-Length': Buffer.byteLength(request.body) },
                lookup: guardedLookup(request.allowPrivateTargets),
                agent: false,
            },
            response => {
                const statusCode = response.statusCode ?? 0;
                let received = 0;
                response.on('data', (chunk: Buffer) => {
                    received += chunk.length;
                    if (received > MAX_RESPONSE_BYTES) response.destroy();
                });
                response.on('error', () => undefined);
                response.on('close', () =>
                    finish(
                        statusCode >= 200 && statusCode < 300
                            ? { ok: true, statusCode }
                            : { ok: false, statusCode, error: `HTTP ${statusCode}` },
                    ),
                );
                response.resume();
            },
        );
        const timer = setTimeout(() => {
            finish({ ok: false, statusCode: null, error: `no answer within ${request.timeoutMs} ms` });
            outgoing.destroy();
        }, request.timeoutMs);
        outgoing.on('error', error => {
            const reason =
                error instanceof NonPublicTargetError ? `refused: ${error.message}` : describeError(error);
            finish({ ok: false, statusCode: null, error: reason.slice(0, MAX_WEBHOOK_ERROR_LENGTH) });
        });
        outgoing.end(request.body);
    });
}
