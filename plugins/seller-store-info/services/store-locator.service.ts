import { randomUUID } from 'node:crypto';

import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
    ChangeChannelEvent,
    EventBus,
    ID,
    Logger,
    StockLocation,
    StockLocationEvent,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';
import { Redis } from 'ioredis';
import { Subscription } from 'rxjs';
import { IsNull, Not } from 'typeorm';

import { describeError } from '../../shared/errors';
import { coordinateProblem, LatLng } from '../../shared/geo';
import { closeRedisClient, createRedisClient, RedisOutageLog } from '../../shared/redis';
import { loggerCtx, SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import { isTimeZone, OpeningHoursError, parseOpeningHours } from './opening-hours';
import { IndexedStore, NearOptions, StoreHit, StoreIndex, StoreSchedule } from './store-index';

export type { IndexedStore, NearOptions, StoreHit, StoreSchedule } from './store-index';

/**
 * How often each process rebuilds its index from the database whatever happened. Pub/sub is
 * fire-and-forget: a message published while a subscriber is reconnecting is lost. This bounds
 * how long such a loss (or a change made with Redis down, or without Redis at all) can leave a
 * process with a stale store list.
 */
export const STORE_INDEX_SAFETY_REFRESH_MS = 60_000;
/** The Redis pub/sub channel on which processes announce store changes to each other. */
export const STORE_CHANGES_CHANNEL = 'seller-store-info:store-changes';
/** What a process misses while the store-change channel is down. */
const STALE_UNTIL_REBUILD = 'other processes see store changes at the next periodic rebuild';

/** What one process tells the others after a store change; they rebuild from the database. */
interface StoreChangeMessage {
    /** The announcing process, which has already rebuilt and ignores its own message. */
    origin: string;
    /** Stores deleted, to hide at once while the rebuild runs. */
    deletedStockLocationIds: string[];
}

/**
 * Where the stores are: an in-memory spatial index of every geo-tagged stock location (latitude
 * and longitude both set), answering "which stores are within r km of this point, nearest first".
 *
 * The database stays the source of truth; the index is rebuilt from it
 * - at bootstrap,
 * - after every StockLocation create, update and delete, and channel (seller) assignment, in
 *   this process,
 * - when another server or worker process announces a change over Redis pub/sub (with
 *   `redisUrl`),
 * - every {@link STORE_INDEX_SAFETY_REFRESH_MS}, in case an announcement was lost.
 * A deleted store is hidden from lookups as soon as the deletion is known, before the rebuild.
 *
 * Store counts are small (thousands at most), so a full rebuild takes milliseconds and is simpler
 * and safer than patching the index entry by entry.
 */
@Injectable()
export class StoreLocator implements OnApplicationBootstrap, OnApplicationShutdown {
    private index: StoreIndex | undefined;
    private lookupCount = 0;
    /** Bumped by every refresh request; a rebuild brings the index up to the value it started with. */
    private requestedGeneration = 0;
    private builtGeneration = 0;
    private inFlight: Promise<void> | undefined;
    /** Deleted store id → the generation whose rebuild no longer contains it. */
    private readonly deleted = new Map<string, number>();
    /** Stores already reported for unusable coordinates, so the periodic rebuild does not repeat it. */
    private reportedBadStores = new Set<string>();
    private readonly subscriptions: Subscription[] = [];
    private safetyTimer: NodeJS.Timeout | undefined;
    private changeChannel: RedisStoreChangeChannel | undefined;
    private readonly instanceId = randomUUID();

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly eventBus: EventBus,
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS)
        private readonly options: Pick<SellerStoreInfoOptions, 'redisUrl'>,
    ) {}

    async onApplicationBootstrap(): Promise<void> {
        // Listen before the first build, so that no change falls between the two. EventBus.ofType
        // delivers an event only after its transaction committed, so a rebuild reads the change.
        this.subscriptions.push(
            this.eventBus.ofType(StockLocationEvent).subscribe(event => {
                const deletedIds = event.type === 'deleted' ? [deletedStockLocationId(event)] : [];
                void this.changedHere(deletedIds);
            }),
            this.eventBus.ofType(ChangeChannelEvent).subscribe(event => {
                if (event.entityType === StockLocation || event.entity instanceof StockLocation) {
                    void this.changedHere([]);
                }
            }),
        );
        if (this.options.redisUrl) {
            this.changeChannel = new RedisStoreChangeChannel(this.options.redisUrl, this.instanceId, {
                onMessage: message => void this.changedElsewhere(message),
                // Messages sent while this process was cut off from Redis are lost: catch up.
                onReconnect: () => void this.refreshLogged('after reconnecting to Redis'),
            });
        }
        // Per process, not a Vendure ScheduledTask: a scheduled task runs once for the whole
        // deployment, but every process has its own index to keep fresh.
        this.safetyTimer = setInterval(
            () => void this.refreshLogged('periodic rebuild'),
            STORE_INDEX_SAFETY_REFRESH_MS,
        );
        this.safetyTimer.unref();
        // Subscribed before bootstrap ends, so another process's announcement right after start-up
        // is heard; a Redis that is down does not hold start-up (reconnecting catches up).
        await Promise.all([this.refreshLogged('at bootstrap'), this.changeChannel?.whenSubscribed()]);
    }

    async onApplicationShutdown(): Promise<void> {
        for (const subscription of this.subscriptions) subscription.unsubscribe();
        this.subscriptions.length = 0;
        if (this.safetyTimer) clearInterval(this.safetyTimer);
        this.safetyTimer = undefined;
        await this.changeChannel?.close();
        this.changeChannel = undefined;
        // Let a rebuild under way finish before the database connection closes under it.
        await this.inFlight?.catch(() => undefined);
    }

    /**
     * Geo-tagged stores within `radiusKm` of `point` (distance ≤ radius, great-circle), nearest
     * first, each with `distanceKm`; with `channelIds`, only stores assigned to one of them.
     *
     * @throws UserInputError for unusable coordinates or radius (say what was wrong)
     */
    near(point: LatLng, radiusKm: number, options: NearOptions = {}): StoreHit[] {
        const problem = coordinateProblem(point.latitude, point.longitude);
        if (problem) throw new UserInputError(problem);
        if (!Number.isFinite(radiusKm) || radiusKm < 0) {
            throw new UserInputError(
                `radiusKm must be a finite number of km, 0 or more, got ${String(radiusKm)}`,
            );
        }
        this.lookupCount++;
        if (!this.index) return [];
        return this.index.near(point, radiusKm, options, store => this.isDeleted(store));
    }

    /** How many stores lookups can currently return. */
    indexedStores(): number {
        if (!this.index) return 0;
        return this.deleted.size ? this.index.count(store => this.isDeleted(store)) : this.index.size;
    }

    /** Lookups answered by this process since it started. */
    get lookups(): number {
        return this.lookupCount;
    }

    /**
     * Rebuilds the index from the database. Resolves once the index reflects the database as it
     * was at the time of the call (or later). Concurrent calls share rebuilds: at most one runs at
     * a time, and a call made during one waits for the next.
     */
    refresh(): Promise<void> {
        this.requestedGeneration++;
        this.inFlight ??= this.rebuildUntilCurrent();
        return this.inFlight;
    }

    private async rebuildUntilCurrent(): Promise<void> {
        try {
            while (this.builtGeneration < this.requestedGeneration) {
                const target = this.requestedGeneration;
                this.index = await StoreIndex.build(await this.loadStores());
                this.builtGeneration = target;
                for (const [id, generation] of this.deleted) {
                    if (generation <= target) this.deleted.delete(id);
                }
            }
        } finally {
            this.inFlight = undefined;
        }
    }

    private async loadStores(): Promise<IndexedStore[]> {
        // The raw connection, not a request's: this runs outside any request and must read
        // committed data only.
        const locations = await this.connection.rawConnection.getRepository(StockLocation).find({
            relations: { channels: true },
            where: { customFields: { latitude: Not(IsNull()), longitude: Not(IsNull()) } },
            order: { id: 'ASC' },
        });
        const stores: IndexedStore[] = [];
        const badStores = new Set<string>();
        for (const location of locations) {
            const latitude = Number(location.customFields.latitude);
            const longitude = Number(location.customFields.longitude);
            const problem = coordinateProblem(latitude, longitude);
            if (problem) {
                const id = String(location.id);
                badStores.add(id);
                if (!this.reportedBadStores.has(id)) {
                    Logger.warn(
                        `Stock location ${id} (${location.name}) is left out of the store index: ${problem}`,
                        loggerCtx,
                    );
                }
                continue;
            }
            stores.push({
                stockLocationId: location.id,
                name: location.name,
                channelIds: (location.channels ?? []).map(channel => channel.id),
                latitude,
                longitude,
                schedule: this.scheduleOf(location, badStores),
            });
        }
        this.reportedBadStores = badStores;
        return stores;
    }

    /** The store's opening hours; one whose saved text does not parse is closed (and reported once). */
    private scheduleOf(location: StockLocation, badStores: Set<string>): StoreSchedule | undefined {
        const { openingHours, timeZone } = location.customFields;
        if (openingHours == null || openingHours.trim() === '') return undefined;
        const zone = timeZone || 'UTC';
        try {
            if (!isTimeZone(zone)) throw new OpeningHoursError(`time zone "${zone.slice(0, 40)}" is unknown`);
            return { hours: parseOpeningHours(openingHours), timeZone: zone };
        } catch (error) {
            const id = String(location.id);
            badStores.add(id);
            if (!this.reportedBadStores.has(id)) {
                const problem = error instanceof OpeningHoursError ? error.message : describeError(error);
                Logger.warn(
                    `Stock location ${id} (${location.name}) counts as closed: ${problem}`,
                    loggerCtx,
                );
            }
            return { hours: null, timeZone: zone };
        }
    }

    private isDeleted(store: IndexedStore): boolean {
        return this.deleted.has(String(store.stockLocationId));
    }

    /** Hides the stores now; the rebuild that follows the call no longer contains them. */
    private hideDeleted(ids: string[]): void {
        for (const id of ids) this.deleted.set(id, this.requestedGeneration + 1);
    }

    private async changedHere(deletedIds: string[]): Promise<void> {
        this.hideDeleted(deletedIds);
        // Announce at once: the change is committed, the other processes read it themselves.
        await Promise.all([
            this.refreshLogged('after a store change'),
            this.changeChannel?.announce({ origin: this.instanceId, deletedStockLocationIds: deletedIds }),
        ]);
    }

    private async changedElsewhere(message: StoreChangeMessage): Promise<void> {
        this.hideDeleted(message.deletedStockLocationIds);
        await this.refreshLogged('after a store change in another process');
    }

    // Rebuild failures (database down) must never reach an event handler or a timer as an
    // unhandled rejection: the previous index keeps answering and the next trigger retries.
    private async refreshLogged(reason: string): Promise<void> {
        try {
            await this.refresh();
        } catch (error) {
            const message = describeError(error);
            Logger.error(
                `Store index rebuild ${reason} failed, keeping the previous index: ${message}`,
                loggerCtx,
            );
        }
    }
}

function deletedStockLocationId(event: StockLocationEvent): string {
    // The deleted entity is a copy made before removal, so it still has its id; the input is the id.
    const id: ID | undefined = event.entity?.id ?? (event.input as ID | undefined);
    return String(id);
}

/**
 * Store-change announcements between processes over Redis pub/sub. Two connections, since a
 * subscribing connection can do nothing else. Both fail fast (no offline queue, short connect
 * timeout): an announcement while Redis is down is dropped with a warning, never queued and never
 * awaited by a request; the periodic rebuild covers it.
 */
class RedisStoreChangeChannel {
    private readonly publisher: Redis;
    private readonly subscriber: Redis;
    private readyBefore = false;
    private attempted: () => void = () => undefined;
    private readonly firstAttempt = new Promise<void>(resolve => (this.attempted = resolve));
    private readonly publisherOutage = new RedisOutageLog(
        'Store change announcements',
        loggerCtx,
        STALE_UNTIL_REBUILD,
    );
    private readonly subscriberOutage = new RedisOutageLog(
        'Store change subscription',
        loggerCtx,
        STALE_UNTIL_REBUILD,
    );

    constructor(
        url: string,
        private readonly instanceId: string,
        private readonly handlers: {
            onMessage: (message: StoreChangeMessage) => void;
            onReconnect: () => void;
        },
    ) {
        // Connected at once (not lazily): nothing else here would start them.
        this.publisher = createRedisClient({
            server: url,
            connectionName: 'seller-store-info:publisher',
            outageLog: this.publisherOutage,
            overrides: { lazyConnect: false },
        });
        this.subscriber = createRedisClient({
            server: url,
            connectionName: 'seller-store-info:subscriber',
            outageLog: this.subscriberOutage,
            // Subscribed by hand on every 'ready': ioredis's own resubscription relies on the
            // offline queue that fail-fast clients do without.
            overrides: { lazyConnect: false, autoResubscribe: false },
        });
        this.subscriber.on('ready', () => void this.subscribe());
        this.subscriber.once('error', () => this.attempted());
        this.subscriber.on('message', (channel: string, payload: string) => {
            if (channel === STORE_CHANGES_CHANNEL) this.receive(payload);
        });
    }

    /**
     * Resolves once the first subscription is in place, or the first attempt to connect failed
     * (refused at once, or after the client's connect timeout): start-up waits for one, never longer.
     */
    whenSubscribed(): Promise<void> {
        return this.firstAttempt;
    }

    async announce(message: StoreChangeMessage): Promise<void> {
        try {
            await this.publisher.publish(STORE_CHANGES_CHANNEL, JSON.stringify(message));
            this.publisherOutage.back();
        } catch (error) {
            this.publisherOutage.lost(error);
        }
    }

    async close(): Promise<void> {
        await Promise.all([closeRedisClient(this.publisher), closeRedisClient(this.subscriber)]);
    }

    private async subscribe(): Promise<void> {
        try {
            await this.subscriber.subscribe(STORE_CHANGES_CHANNEL);
        } catch (error) {
            this.subscriberOutage.lost(error);
            this.attempted();
            return;
        }
        this.attempted();
        if (this.readyBefore) this.handlers.onReconnect();
        this.readyBefore = true;
    }

    private receive(payload: string): void {
        let message: StoreChangeMessage;
        try {
            const parsed = JSON.parse(payload) as Partial<StoreChangeMessage>;
            message = {
                origin: String(parsed.origin),
                deletedStockLocationIds: Array.isArray(parsed.deletedStockLocationIds)
                    ? parsed.deletedStockLocationIds.map(String)
                    : [],
            };
        } catch {
            // Something else on our channel: still a reason to re-read the stores.
            message = { origin: '', deletedStockLocationIds: [] };
        }
        if (message.origin === this.instanceId) return;
        this.handlers.onMessage(message);
    }
}
