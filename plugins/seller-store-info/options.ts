import { GeocodingStrategy } from './strategies/geocoding/geocoding-strategy';
import { PostalCodeGeocodingStrategy } from './strategies/geocoding/postal-code-geocoding-strategy';

/**
 * @description
 * Options of the {@link SellerStoreInfoPlugin}.
 */
export interface SellerStoreInfoPluginOptions {
    /**
     * @description
     * A variant is deliverable to a location when a store (stock location) of its seller within
     * this distance has saleable stock of it.
     *
     * @default 5
     */
    maxDistanceKm?: number;
    /**
     * @description
     * Country of a postal code given without `countryCode` (a Vendure channel has no default
     * country). Without it, clients must always send `countryCode` with a postal code.
     */
    defaultCountryCode?: string;
    /**
     * @description
     * Redis connection URL: store changes on one server or worker process reach the others through
     * Redis pub/sub. Without it, each process only sees its own changes at once (and every store
     * change after the periodic refresh).
     */
    redisUrl?: string;
    /**
     * @description
     * Turns a postal code into coordinates.
     *
     * @default PostalCodeGeocodingStrategy (the imported GeoNames postal-code table)
     */
    geocodingStrategy?: GeocodingStrategy;
    /**
     * @description
     * Map tiles of the dashboard's maps (the stock location's point here, driver-dispatch's live
     * map): a Leaflet URL template with `{z}`, `{x}`, `{y}` (and optionally `{s}`), and the
     * attribution the tile provider asks for. Without a reachable tile server the maps still show
     * their markers and lines on a blank background.
     *
     * @default OpenStreetMap's standard tiles
     */
    mapTiles?: MapTileOptions;
    /**
     * @description
     * A store stops taking new orders this many minutes before each closing of its opening hours
     * (the `openingHours` custom field): search, add to cart, checkout, `nearbyStores` and
     * `deliveryAvailability` count it as closed then. An order placed before that is still
     * allocated to it.
     *
     * @default 0
     */
    lastOrderMinutesBeforeClose?: number;
    /**
     * @description
     * Whether a store without opening hours (its `openingHours` custom field empty) is always open.
     * `false`: such a store never serves until staff give it a schedule.
     *
     * @default true (stores set up before opening hours existed keep serving)
     */
    storesWithoutScheduleAlwaysOpen?: boolean;
}

export interface MapTileOptions {
    url: string;
    attribution: string;
}

export const OPENSTREETMAP_TILES: MapTileOptions = {
    url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    attribution: '&copy; OpenStreetMap contributors',
};

/** The options with their defaults applied. */
export interface SellerStoreInfoOptions {
    maxDistanceKm: number;
    defaultCountryCode?: string;
    redisUrl?: string;
    geocodingStrategy: GeocodingStrategy;
    mapTiles: MapTileOptions;
    lastOrderMinutesBeforeClose: number;
    storesWithoutScheduleAlwaysOpen: boolean;
}

export function withDefaults(options: SellerStoreInfoPluginOptions): SellerStoreInfoOptions {
    return {
        maxDistanceKm: 5,
        geocodingStrategy: new PostalCodeGeocodingStrategy(),
        mapTiles: OPENSTREETMAP_TILES,
        lastOrderMinutesBeforeClose: 0,
        storesWithoutScheduleAlwaysOpen: true,
        ...options,
    };
}
