import { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
    CachedSession,
    ChannelService,
    ConfigService,
    ForbiddenError,
    ID,
    Logger,
    RequestContext,
    SessionService,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';
import { RawData, WebSocket, WebSocketServer } from 'ws';

import { describeError } from '../../shared/errors';
import { whenServerCloses } from '../../shared/http-server';
import {
    ackFrame,
    ChannelErrorCode,
    CloseCode,
    DRIVER_CHANNEL_PATH,
    errorFrame,
    isRefusal,
    LocationFrame,
    MAX_CLIENT_FRAME_BYTES,
    parseClientFrame,
    StatusFrame,
} from '../api/driver-channel-protocol';
import { DriverHasOpenAssignmentError } from '../api/error-results';
import { LocationPingRateLimitError } from '../api/thrown-errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { ResolvedDriverDispatchOptions } from '../options';
import { DispatchEventStreamService } from './dispatch-event-stream.service';
import { DriverService } from './driver.service';
import {
    cookieSessionReader,
    FRAME_WINDOW_MS,
    FrameBudget,
    lastEventIdOf,
    OTHER_FRAMES_PER_WINDOW,
    pathOf,
    rawText,
    rejectUpgrade,
    send,
    socketSink,
} from './driver-channel-socket';

/**
 * Pings of one connection waiting for their flush; one more is refused at once. A driver app sends
 * one every few seconds, so this bounds only a client that floods faster than the server flushes.
 */
const MAX_PINGS_IN_FLIGHT = 64;

/** An authenticated connection: whose it is and what it may do. */
interface DriverLogin {
    driverId: ID;
    ctx: RequestContext;
}

/**
 * The driver channel: `GET /dispatch/driver` upgraded to a WebSocket on the server's own port
 * (the `upgrade` event of Vendure's HTTP server; a worker serves none). The protocol is in
 * `api/driver-channel-protocol.ts` and the plugin README.
 *
 * - Authentication, once per connection: the admin session cookie at the upgrade (read with the
 *   same cookie-session settings as Vendure's, and only from an allowed `Origin`), else a first
 *   frame `{"type":"auth","token":"…"}` within `driverChannelAuthTimeoutMs`. Anything else closes
 *   with 4401; a login that is not an enabled driver with 4403.
 * - Events: the connection is one more client of the {@link DispatchEventStreamService}, so it gets
 *   what the driver's `GET /dispatch/events` stream gets (their own assignment events, from every
 *   process through the event log, resumable with `lastEventId`), and ends when the session is
 *   revoked or the driver disabled or deleted.
 * - Pings take the mutation's rules through {@link DriverService.recordPing} without reading the
 *   driver again, batched across drivers by the `PingBatcher` (a ping's rate limit, index
 *   write and live-map event are settled in its flush; a refusal comes back as an `error` frame
 *   then); a status frame runs `setDriverStatus`'s rules in a transaction.
 * - A refused frame gets an `error` frame and the connection stays open.
 */
@Injectable()
export class DriverChannelService implements OnApplicationBootstrap, OnModuleDestroy {
    private server: WebSocketServer | undefined;
    private httpServer: Server | undefined;
    private readonly sockets = new Set<WebSocket>();
    private readCookieSession: ((req: IncomingMessage) => Promise<string | undefined>) | undefined;
    private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        this.upgrade(req, socket, head);

    constructor(
        private readonly configService: ConfigService,
        private readonly sessionService: SessionService,
        private readonly channelService: ChannelService,
        private readonly connection: TransactionalConnection,
        private readonly drivers: DriverService,
        private readonly stream: DispatchEventStreamService,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) private readonly options: ResolvedDriverDispatchOptions,
        @Optional() private readonly httpAdapterHost?: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
        const httpServer: unknown = this.httpAdapterHost?.httpAdapter?.getHttpServer();
        if (!(httpServer instanceof Server)) return; // a worker serves no HTTP
        this.httpServer = httpServer;
        this.server = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
        this.readCookieSession = cookieSessionReader(this.configService);
        httpServer.on('upgrade', this.onUpgrade);
        whenServerCloses(httpServer, () => this.closeAll());
    }

    onModuleDestroy(): void {
        this.closeAll();
        this.httpServer?.off('upgrade', this.onUpgrade);
    }

    /** How many driver sockets this process holds (benchmarks, tests). */
    get openConnections(): number {
        return this.sockets.size;
    }

    private closeAll(): void {
        for (const socket of this.sockets) socket.close(CloseCode.goingAway, 'The server is shutting down');
        this.server?.close();
    }

    private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
        const server = this.server;
        if (!server || pathOf(req) !== DRIVER_CHANNEL_PATH) {
            // Someone else's path; with no one else listening it would hang.
            if (this.httpServer?.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
            return;
        }
        void (async () => {
            const cookieToken = this.originAllowed(req) ? await this.readCookieSession?.(req) : undefined;
            server.handleUpgrade(req, socket, head, ws => this.serve(ws, cookieToken, lastEventIdOf(req)));
        })().catch(error => {
            Logger.warn(`Driver channel upgrade failed: ${describeError(error)}`, loggerCtx);
            rejectUpgrade(socket, 500, 'Internal Server Error');
        });
    }

    /**
     * A session cookie is a credential only from a page of this server (same origin) or of an
     * origin the shop allows (`apiOptions.cors`): any other site's page could otherwise open the
     * channel with a visiting driver's cookie.
     */
    private originAllowed(req: IncomingMessage): boolean {
        const origin = req.headers.origin;
        if (!origin) return false;
        const host = req.headers.host;
        if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
        const cors = this.configService.apiOptions.cors;
        const allowed = typeof cors === 'object' ? cors.origin : undefined;
        if (typeof allowed === 'string') return allowed !== '*' && allowed === origin;
        return Array.isArray(allowed) && allowed.some(entry => entry === origin);
    }

    private serve(ws: WebSocket, cookieToken: string | undefined, lastEventId: string | undefined): void {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('error', error => Logger.verbose(`Driver socket error: ${describeError(error)}`, loggerCtx));
        let login: Promise<DriverLogin | undefined> | undefined;
        let work: Promise<void> = Promise.resolve();
        const budget = new FrameBudget();
        const inFlight = { pings: 0 };
        const authTimer = setTimeout(() => {
            if (!login) {
                ws.close(
                    CloseCode.unauthenticated,
                    `No auth frame within ${this.options.driverChannelAuthTimeoutMs} ms`,
                );
            }
        }, this.options.driverChannelAuthTimeoutMs);
        authTimer.unref();
        ws.on('close', () => clearTimeout(authTimer));
        if (cookieToken) login = this.authenticate(ws, cookieToken, lastEventId);

        ws.on('message', (data: RawData, isBinary: boolean) => {
            // One frame after the other: a status change and the pings around it keep their order.
            work = work.then(async () => {
                if (ws.readyState !== WebSocket.OPEN) return;
                const parsed = isBinary
                    ? ({ refused: 'BAD_FRAME', message: 'Frames are JSON text, not binary' } as const)
                    : parseClientFrame(rawText(data), new Date());
                if (!login) {
                    if (isRefusal(parsed) || parsed.type !== 'auth') {
                        ws.close(CloseCode.unauthenticated, 'The first frame is {"type":"auth","token":"…"}');
                        return;
                    }
                    login = this.authenticate(ws, parsed.token, parsed.lastEventId);
                    return;
                }
                const driver = await login;
                if (!driver) return;
                if (isRefusal(parsed)) {
                    send(ws, errorFrame(parsed.refused, parsed.message));
                } else if (parsed.type === 'auth') {
                    send(ws, errorFrame('ALREADY_AUTHENTICATED', 'This connection is authenticated already'));
                } else if (parsed.type === 'location') {
                    // Not awaited: the ping waits for its flush, the connection's next frames do not.
                    this.ping(ws, driver, parsed, inFlight);
                } else if (!budget.take()) {
                    send(
                        ws,
                        errorFrame(
                            'RATE_LIMITED',
                            `At most ${OTHER_FRAMES_PER_WINDOW} status frames per ${FRAME_WINDOW_MS / 1000} s: this one was not applied`,
                        ),
                    );
                } else {
                    await this.setStatus(ws, driver, parsed);
                }
            });
        });
    }

    /** Checks the session; the connection becomes a live client of the event stream, or closes. */
    private async authenticate(
        ws: WebSocket,
        token: string,
        lastEventId: string | undefined,
    ): Promise<DriverLogin | undefined> {
        try {
            const session = await this.sessionService.getSessionFromToken(token);
            const user = session?.user;
            if (!session || !user) {
                ws.close(
                    CloseCode.unauthenticated,
                    'The session is not valid (expired or logged out): log in again',
                );
                return undefined;
            }
            const ctx = await this.driverContext(session);
            const driver = await this.drivers.findActive(ctx);
            if (!driver) {
                ws.close(CloseCode.forbidden, "This login is not a driver's");
                return undefined;
            }
            const driverId = String(driver.id);
            const refusal = await this.stream.open({
                sessionToken: session.token,
                userId: user.id,
                channelPermissions: user.channelPermissions,
                driverId,
                lastEventId,
                sink: socketSink(ws, driverId),
            });
            if (refusal?.refused === 'too-many') {
                ws.close(
                    CloseCode.tooManyConnections,
                    `This session holds ${refusal.open} live connections already (the limit is ${refusal.limit})`,
                );
                return undefined;
            }
            if (refusal?.refused === 'shutting-down') {
                ws.close(CloseCode.goingAway, 'The server is shutting down: reconnect in a moment');
                return undefined;
            }
            if (refusal) {
                ws.close(CloseCode.forbidden, 'This login may not use the driver channel (DriverSelf)');
                return undefined;
            }
            return { driverId: driver.id, ctx };
        } catch (error) {
            if (error instanceof ForbiddenError) {
                ws.close(CloseCode.forbidden, 'This driver is disabled');
            } else {
                Logger.warn(`Driver channel authentication failed: ${describeError(error)}`, loggerCtx);
                ws.close(CloseCode.goingAway, 'The login could not be checked: reconnect in a moment');
            }
            return undefined;
        }
    }

    private ping(ws: WebSocket, login: DriverLogin, frame: LocationFrame, inFlight: { pings: number }): void {
        if (inFlight.pings >= MAX_PINGS_IN_FLIGHT) {
            send(
                ws,
                errorFrame(
                    'RATE_LIMITED',
                    `At most ${MAX_PINGS_IN_FLIGHT} pings of one connection wait to be recorded: this one was not`,
                ),
            );
            return;
        }
        inFlight.pings += 1;
        this.drivers
            .recordPing(
                login.driverId,
                { latitude: frame.latitude, longitude: frame.longitude },
                frame.at ?? new Date(),
            )
            .catch(error =>
                this.refuse(
                    ws,
                    error,
                    'INVALID_LOCATION',
                    'The position was not recorded: send the next one',
                ),
            )
            .finally(() => {
                inFlight.pings -= 1;
            });
    }

    private async setStatus(ws: WebSocket, login: DriverLogin, frame: StatusFrame): Promise<void> {
        try {
            const result = await this.connection.withTransaction(login.ctx, ctx =>
                this.drivers.setActiveStatus(ctx, frame.status),
            );
            if (result instanceof DriverHasOpenAssignmentError) {
                send(ws, errorFrame('STATUS_REFUSED', result.message));
                return;
            }
            send(ws, ackFrame('status', { status: result.status }));
        } catch (error) {
            if (error instanceof ForbiddenError) {
                ws.close(CloseCode.forbidden, 'This driver is disabled');
                return;
            }
            this.refuse(ws, error, 'INVALID_STATUS', 'The status was not changed: try again');
        }
    }

    /** A refused frame: the client's mistake in its words, anything else as "try again". */
    private refuse(ws: WebSocket, error: unknown, inputCode: ChannelErrorCode, otherwise: string): void {
        if (error instanceof LocationPingRateLimitError) {
            send(ws, errorFrame('RATE_LIMITED', error.message));
        } else if (error instanceof UserInputError) {
            send(ws, errorFrame(inputCode, error.message));
        } else {
            Logger.warn(`Driver channel frame failed: ${describeError(error)}`, loggerCtx);
            send(ws, errorFrame('TRY_AGAIN', otherwise));
        }
    }

    /** The admin-API context of the driver's session, in the default channel where drivers live. */
    private async driverContext(session: CachedSession): Promise<RequestContext> {
        const channel = await this.channelService.getDefaultChannel();
        return new RequestContext({
            apiType: 'admin',
            channel,
            session,
            isAuthorized: true,
            authorizedAsOwnerOnly: false,
            languageCode: channel.defaultLanguageCode,
        });
    }
}
