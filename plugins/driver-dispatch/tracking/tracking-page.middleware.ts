import { createReadStream, existsSync, promises as fs } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

import { Injectable, NestMiddleware } from '@nestjs/common';
import { Logger } from '@vendure/core';

import { describeError } from '../../shared/errors';
import { loggerCtx } from '../constants';
import { defaultTrackingAssetsDir } from './tracking-options';
import { TrackingPageService } from './tracking-page.service';
import {
    readTrackingRequest,
    tooManyRequestsHtml,
    TRACKING_NOT_FOUND_HTML,
    TRACKING_NOT_FOUND_JSON,
    trackingContentSecurityPolicy,
    trackingHeaders,
    trackingPageHtml,
} from './tracking-page-html';
import { TrackingRateLimiter } from './tracking-rate-limiter.service';

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serves `/track/<token>` (the page), `/track/<token>/status` (its JSON, polled by the page) and
 * `/track/assets/<file>` (the built script and styles) on the server's own port, outside the
 * GraphQL APIs: no session, no cookie. GET and HEAD only; nothing a client sends is read but the
 * URL path, and a token is checked for its shape before it is counted or looked up.
 */
@Injectable()
export class TrackingPageMiddleware implements NestMiddleware {
    private readonly csp: string;
    private readonly assetsDir: string;

    constructor(
        private readonly pages: TrackingPageService,
        private readonly limiter: TrackingRateLimiter,
    ) {
        this.csp = trackingContentSecurityPolicy(pages.options);
        this.assetsDir = path.resolve(pages.options.assetsDir ?? defaultTrackingAssetsDir());
        if (!existsSync(path.join(this.assetsDir, 'tracking-page.js'))) {
            Logger.warn(
                `The tracking page script is not built in ${this.assetsDir} (npm run build:tracking-page, or set ` +
                    'tracking.assetsDir): tracking pages show the delivery as loaded, without live updates or the map',
                loggerCtx,
            );
        }
    }

    use(req: IncomingMessage, res: ServerResponse, _next: () => void): void {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, {
                ...trackingHeaders(this.csp, 'text/plain; charset=utf-8'),
                allow: 'GET, HEAD',
            });
            res.end('Only GET and HEAD are allowed here.');
            return;
        }
        this.answer(req, res).catch(error => {
            Logger.error(`Tracking page request failed: ${describeError(error)}`, loggerCtx);
            if (res.headersSent) {
                res.end();
                return;
            }
            this.send(
                req,
                res,
                503,
                HTML,
                '<!doctype html><title>Try again</title><p>Try again in a moment.</p>',
            );
        });
    }

    private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
        // Nest hands the middleware the path below its route; originalUrl keeps the whole one.
        const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
        const request = readTrackingRequest(new URL(url, 'http://localhost').pathname);
        if (request.kind === 'not-found') {
            if (request.json) this.send(req, res, 404, JSON_TYPE, TRACKING_NOT_FOUND_JSON);
            else this.send(req, res, 404, HTML, TRACKING_NOT_FOUND_HTML);
            return;
        }
        if (request.kind === 'asset') {
            await this.sendAsset(req, res, request.file, request.contentType);
            return;
        }
        const json = request.kind === 'status';
        const allowance = await this.limiter.take(request.token, clientAddress(req));
        if (!allowance.allowed) {
            const retryAfter = String(allowance.retryAfterSeconds);
            const body = json
                ? JSON.stringify({
                      statusCode: 429,
                      message: 'Too many requests',
                      retryAfterSeconds: Number(retryAfter),
                  })
                : tooManyRequestsHtml(allowance.retryAfterSeconds);
            this.send(req, res, 429, json ? JSON_TYPE : HTML, body, { 'retry-after': retryAfter });
            return;
        }
        const view = await this.pages.viewFor(request.token);
        if (!view) {
            this.send(
                req,
                res,
                404,
                json ? JSON_TYPE : HTML,
                json ? TRACKING_NOT_FOUND_JSON : TRACKING_NOT_FOUND_HTML,
            );
            return;
        }
        if (json) this.send(req, res, 200, JSON_TYPE, JSON.stringify(view));
        else this.send(req, res, 200, HTML, trackingPageHtml(view, this.pages.options));
    }

    private send(
        req: IncomingMessage,
        res: ServerResponse,
        status: number,
        contentType: string,
        body: string,
        extra: Record<string, string> = {},
    ): void {
        const bytes = Buffer.from(body, 'utf8');
        res.writeHead(status, {
            ...trackingHeaders(this.csp, contentType),
            'content-length': String(bytes.length),
            ...extra,
        });
        res.end(req.method === 'HEAD' ? undefined : bytes);
    }

    private async sendAsset(req: IncomingMessage, res: ServerResponse, file: string, contentType: string) {
        const filePath = path.join(this.assetsDir, file);
        const stat = await fs.stat(filePath).catch(() => undefined);
        if (!stat?.isFile()) {
            this.send(req, res, 404, HTML, TRACKING_NOT_FOUND_HTML);
            return;
        }
        res.writeHead(200, {
            ...trackingHeaders(this.csp, contentType),
            // Fixed file names: revalidated, so a deployment reaches open pages at their next load.
            'cache-control': 'no-cache',
            'content-length': String(stat.size),
        });
        if (req.method === 'HEAD') {
            res.end();
            return;
        }
        createReadStream(filePath).pipe(res);
    }
}

/** The client's address as Express sees it (`req.ip`, which follows `trust proxy`), else the socket's. */
function clientAddress(req: IncomingMessage): string | undefined {
    return (req as IncomingMessage & { ip?: string }).ip ?? req.socket.remoteAddress;
}
