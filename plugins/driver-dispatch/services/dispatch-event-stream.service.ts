import { Server } from 'node:http';

import {
    Inject,
    Injectable,
    OnApplicationBootstrap,
    OnApplicationShutdown,
    OnModuleDestroy,
    Optional,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import {
    ChannelService,
    EventBus,
    ID,
    idsAreEqual,
    Injector,
    Logger,
    RequestContext,
    SessionService,
    TransactionalConnection,
} from '@vendure/core';
import type { Request, Response } from 'express';
import { Subscription } from 'rxjs';

import { describeError } from '../../shared/errors';
import { whenServerCloses } from '../../shared/http-server';
import { DispatchLiveEvent, RESYNC_EVENT } from '../api/dispatch-live-events';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx } from '../constants';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { DriverAccessRevokedEvent } from '../events/driver-access-revoked-event';
import { DriverLocationEvent } from '../events/driver-location-event';
import { DriverStatusEvent } from '../events/driver-status-event';
import { ResolvedDriverDispatchOptions, resolveStrategy } from '../options';
import { DispatchEventLog, LoggedDispatchEvent } from '../strategies/dispatch-event-log/dispatch-event-log';
import { compareEventIds, isEventId } from '../strategies/dispatch-event-log/event-id';
import { DriverService } from './driver.service';
import { LiveEventAppender } from './live-event-appender';
import { audienceOf, isEmptyAudience, LiveEventAudience, mayReceive } from './live-event-audience';
import { LiveEventRecipients } from './live-event-recipients';
import {
    lastEventIdOf,
    LiveClientRequest,
    LiveEndReason,
    LiveEventSink,
    LiveRefusal,
    refuse,
    refuseStream,
    sseSink,
} from './live-event-sink';
import {
    assignmentLiveEvent,
    driverLocationLiveEvent,
    driverRevokedLiveEvent,
    driverStatusLiveEvent,
} from './live-event-translation';

type StreamOptions = ResolvedDriverDispatchOptions;

/** A client that lets this much pile up unread is too slow to follow: its stream is ended. */
const MAX_UNSENT_BYTES = 1024 * 1024;

/** One open stream. */
interface StreamClient {
    sink: LiveEventSink;
    userId: ID;
    sessionToken: string;
    driverId: string | null;
    audience: LiveEventAudience;
    /** Live events that arrive while the missed ones are replayed wait here, in order. */
    backlog: LoggedDispatchEvent[] | undefined;
    /** The newest log entry this client has been given or skipped: where it would resume. */
    position: string | undefined;
    /**
     * Log entries seen by this process when the client went live (its backlog sent): once more
     * have arrived, its resume point is the newest of them, whether it received them or not.
     */
    liveFrom: number | undefined;
    /** `position` as last sent in an `id:` line. */
    sentPosition: string | undefined;
    timers: NodeJS.Timeout[];
    closed: boolean;
}

/**
 * The live push of dispatch (`GET /dispatch/events`, server-sent events).
 *
 * Every process turns the events of its EventBus (after their transaction committed) into
 * {@link DispatchLiveEvent}s and appends them to the {@link DispatchEventLog} (the plugin's
 * `dispatchEventLog` option): by default a Redis Stream with `redisUrl`, so every process sees every
 * other's, else an in-process buffer. Each process that
 * serves streams follows the log and writes each event to the open streams whose audience may
 * receive it. The log's ids are the SSE ids, so a client reconnecting with `Last-Event-ID` first
 * gets what it missed while the log still holds it, else a `stream.resync` event.
 *
 * Who receives what is decided from the session at connect ({@link audienceOf}) and again every
 * `liveEventSessionCheckMs`: a stream whose session was revoked (the driver was deleted or
 * disabled) or no longer allows it ends then.
 */
@Injectable()
export class DispatchEventStreamService
    implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
    private readonly log: DispatchEventLog;
    private readonly clients = new Set<StreamClient>();
    /** The clients indexed by audience: an event visits only those it may concern. */
    private readonly recipients = new LiveEventRecipients<StreamClient>();
    /** Clients still sending what they missed: they queue every entry in their backlog. */
    private readonly catchingUp = new Set<StreamClient>();
    /** How many log entries this process has seen, and the newest one's id. */
    private entriesSeen = 0;
    private newestEntryId: string | undefined;
    private readonly subscriptions: Subscription[] = [];
    private following: Promise<() => void> | undefined;
    /** This process's events, appended to the log in order. */
    private readonly appender: LiveEventAppender;
    private shuttingDown = false;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly eventBus: EventBus,
        private readonly sessionService: SessionService,
        private readonly channelService: ChannelService,
        private readonly drivers: DriverService,
        private readonly moduleRef: ModuleRef,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS) private readonly options: StreamOptions,
        @Optional() private readonly httpAdapterHost?: HttpAdapterHost,
    ) {
        // Made here, once per app: two apps in one process (tests) never share a log.
        this.log = resolveStrategy(options.dispatchEventLog, options);
        this.appender = new LiveEventAppender(this.log);
    }

    async onApplicationBootstrap(): Promise<void> {
        // The log lives in plugin options, not in Vendure's config: this service runs its init/destroy.
        await this.log.init?.(new Injector(this.moduleRef));
        this.endStreamsWhenServerCloses();
        const publish = (event: DispatchLiveEvent) => this.appender.append(() => Promise.resolve(event));
        this.subscriptions.push(
            this.eventBus.ofType(DeliveryStatusEvent).subscribe(event => publish(assignmentLiveEvent(event))),
            this.eventBus.ofType(DriverStatusEvent).subscribe(event => publish(driverStatusLiveEvent(event))),
            this.eventBus
                .ofType(DriverAccessRevokedEvent)
                .subscribe(event => publish(driverRevokedLiveEvent(event))),
            this.eventBus
                .ofType(DriverLocationEvent)
                .subscribe(event => publish(driverLocationLiveEvent(event))),
        );
    }

    /**
     * Open streams keep the HTTP server from closing: Apollo's drain (in the GraphQL module's
     * onModuleDestroy, which Nest calls before this one) would wait 10 s for them and then cut
     * them. So they end as soon as the server starts closing, and here at the latest.
     */
    private endStreamsWhenServerCloses(): void {
        const server: unknown = this.httpAdapterHost?.httpAdapter?.getHttpServer();
        if (!(server instanceof Server)) return; // a worker serves no HTTP
        whenServerCloses(server, () => this.endAllStreams());
    }

    private endAllStreams(): void {
        this.shuttingDown = true;
        for (const client of [...this.clients]) this.close(client, 'shutdown');
    }

    async onModuleDestroy(): Promise<void> {
        this.endAllStreams();
        for (const subscription of this.subscriptions) subscription.unsubscribe();
        (await this.following)?.();
        await this.appender.drained();
    }

    async onApplicationShutdown(): Promise<void> {
        await this.log.destroy?.();
    }

    /** How many streams this process serves (readiness, tests). */
    get openStreams(): number {
        return this.clients.size;
    }

    /**
     * Serves one stream: refuses it (401 without a valid session, 403 when the session may
     * receive nothing), else holds the response open and writes events until the client goes.
     */
    async connect(ctx: RequestContext, req: Request, res: Response): Promise<void> {
        const session = ctx.session;
        const user = session?.user;
        if (this.shuttingDown) {
            refuse(res, 503, 'The server is shutting down: reconnect in a moment');
            return;
        }
        if (!session || !user) {
            refuse(
                res,
                401,
                'Not signed in: send the admin API session token as "Authorization: Bearer <token>" ' +
                    '(or the admin session cookie)',
            );
            return;
        }
        const driver = await this.drivers.findActive(ctx);
        const refusal = await this.open({
            sessionToken: session.token,
            userId: user.id,
            channelPermissions: user.channelPermissions,
            driverId: driver ? String(driver.id) : null,
            lastEventId: lastEventIdOf(req),
            sink: sseSink(res),
        });
        if (refusal) refuseStream(res, refusal);
    }

    /**
     * Opens a live connection over any transport (the SSE stream, the driver channel), after the
     * checks both share: the server is not closing, the session holds fewer than
     * `liveStreamsPerSession` connections, and it may receive something. Resolves when the missed
     * events (after `lastEventId`) are sent; live ones follow until the client or the server ends it.
     */
    async open(request: LiveClientRequest): Promise<LiveRefusal | undefined> {
        if (this.shuttingDown) return { refused: 'shutting-down' };
        const open = [...this.clients].filter(client => client.sessionToken === request.sessionToken).length;
        const limit = this.options.liveStreamsPerSession;
        if (open >= limit) return { refused: 'too-many', open, limit };
        const audience = await this.audience(request.channelPermissions, request.driverId);
        if (isEmptyAudience(audience)) return { refused: 'nothing-to-receive' };

        const client: StreamClient = {
            sink: request.sink,
            userId: request.userId,
            sessionToken: request.sessionToken,
            driverId: request.driverId,
            audience,
            // Whatever arrives until the stream is set up (and the missed events are sent) waits here.
            backlog: [],
            position: undefined,
            liveFrom: undefined,
            sentPosition: undefined,
            timers: [],
            closed: false,
        };
        // Registered before the log is read, so nothing appended from now on is missed.
        this.clients.add(client);
        this.recipients.add(client);
        this.catchingUp.add(client);
        request.sink.onClose(() => this.forget(client));
        await this.follow();
        if (client.closed) return undefined;

        request.sink.start();
        const keepAlive = setInterval(() => this.keepAlive(client), this.options.liveEventKeepAliveMs);
        const sessionCheck = setInterval(
            () => void this.checkSession(client),
            this.options.liveEventSessionCheckMs,
        );
        for (const timer of [keepAlive, sessionCheck]) {
            timer.unref();
            client.timers.push(timer);
        }
        if (request.lastEventId !== undefined) await this.replay(client, request.lastEventId);
        const backlog = client.backlog ?? [];
        client.backlog = undefined;
        this.catchingUp.delete(client);
        client.liveFrom = this.entriesSeen;
        for (const entry of backlog) {
            if (!client.position || compareEventIds(entry.id, client.position) > 0)
                this.deliver(client, entry);
        }
        return undefined;
    }

    /** Sends what the client missed since `lastEventId`, or `stream.resync` when that is gone. */
    private async replay(client: StreamClient, lastEventId: string): Promise<void> {
        let missed: LoggedDispatchEvent[] | 'gone';
        try {
            missed = isEventId(lastEventId) ? await this.log.readAfter(lastEventId) : 'gone';
        } catch (error) {
            Logger.warn(`Cannot replay live events after ${lastEventId}: ${describeError(error)}`, loggerCtx);
            missed = 'gone';
        }
        if (missed === 'gone') {
            this.write(client, sink =>
                sink.send(RESYNC_EVENT, {
                    reason: `Events after ${lastEventId} are no longer available: reload`,
                }),
            );
        } else {
            for (const entry of missed) this.deliver(client, entry);
        }
    }

    /** Starts following the log when the first stream opens (a worker never does). */
    private async follow(): Promise<void> {
        this.following ??= this.log.subscribe(entry => {
            this.entriesSeen += 1;
            this.newestEntryId = entry.id;
            if (entry.event.type === 'driver.revoked') this.revoked(entry.event.data.driverId);
            for (const client of this.catchingUp) client.backlog?.push(entry);
            for (const client of this.recipients.of(entry.event)) {
                if (!client.backlog) this.deliver(client, entry);
            }
        });
        await this.following;
    }

    private deliver(client: StreamClient, entry: LoggedDispatchEvent): void {
        client.position = entry.id;
        if (!mayReceive(client.audience, entry.event)) return;
        client.sentPosition = entry.id;
        this.write(client, sink => sink.send(entry.event.type, entry.event.data, entry.id));
    }

    /** A driver was disabled or deleted (in any process): their connections are checked now. */
    private revoked(driverId: string): void {
        for (const client of this.clients) {
            if (client.driverId === driverId) void this.checkSession(client);
        }
    }

    /** Keeps the idle connection open, and tells where the client would resume if it skipped events. */
    private keepAlive(client: StreamClient): void {
        let skippedTo: string | undefined;
        // Entries arrived since it went live: it has received or skipped up to the newest.
        if (client.liveFrom !== undefined && this.entriesSeen > client.liveFrom)
            client.position = this.newestEntryId;
        if (client.backlog === undefined && client.position && client.position !== client.sentPosition) {
            client.sentPosition = client.position;
            skippedTo = client.position;
        }
        this.write(client, sink => sink.keepAlive(skippedTo));
    }

    /** Ends the stream when its session is gone or no longer allows it. */
    private async checkSession(client: StreamClient): Promise<void> {
        try {
            // Disabling a driver also revokes their sessions: the driver is checked first, so the
            // connection learns why it ends.
            if (client.driverId != null && !(await this.drivers.isEnabled(client.driverId))) {
                this.close(client, 'forbidden');
                return;
            }
            const session = await this.sessionService.getSessionFromToken(client.sessionToken);
            const user = session?.user;
            if (!user || !idsAreEqual(user.id, client.userId)) {
                this.close(client, 'signed-out');
                return;
            }
            const audience = await this.audience(user.channelPermissions, client.driverId);
            if (client.closed) return;
            this.recipients.remove(client);
            client.audience = audience;
            this.recipients.add(client);
            if (isEmptyAudience(client.audience)) this.close(client, 'forbidden');
        } catch (error) {
            // The database or cache did not answer: keep the stream, check again next time.
            Logger.verbose(`Live stream session check failed: ${describeError(error)}`, loggerCtx);
        }
    }

    private async audience(
        channelPermissions: Array<{ id: ID; permissions: string[] }>,
        driverId: string | null,
    ): Promise<LiveEventAudience> {
        const defaultChannel = await this.channelService.getDefaultChannel();
        return audienceOf(channelPermissions, defaultChannel.id, driverId);
    }

    private write(client: StreamClient, write: (sink: LiveEventSink) => void): void {
        if (client.closed) return;
        if (client.sink.unsentBytes > MAX_UNSENT_BYTES) {
            Logger.warn(
                `A live stream of user ${String(client.userId)} fell behind and was closed`,
                loggerCtx,
            );
            this.close(client, 'slow');
            return;
        }
        write(client.sink);
    }

    private close(client: StreamClient, reason: LiveEndReason): void {
        if (client.closed) return;
        this.forget(client);
        client.sink.end(reason);
    }

    /** The connection is gone (or going): no more timers, no more events. */
    private forget(client: StreamClient): void {
        if (client.closed) return;
        client.closed = true;
        for (const timer of client.timers) clearInterval(timer);
        this.clients.delete(client);
        this.recipients.remove(client);
        this.catchingUp.delete(client);
    }
}
