import { Inject, Injectable } from '@nestjs/common';
import {
    ActiveOrderService,
    Logger,
    Order,
    RequestContext,
    Session,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';

import { coordinateProblem, LatLng, looksSwapped } from '../../shared/geo';
import { boundedText, INPUT_LIMITS, optionalBoundedText } from '../../shared/input-bounds';
import { InvalidCoordinatesError, UnknownPostalCodeError } from '../api/error-results';
import { loggerCtx, SELLER_STORE_INFO_PLUGIN_OPTIONS } from '../constants';
import { SellerStoreInfoOptions } from '../options';
import { DeliveryLocationFields } from '../types';
import { GeocodingService } from './geocoding.service';
import { StoreLocator } from './store-locator.service';

/** A delivery location this far from every store is implausible for the shop (for the swap check). */
const SERVICE_AREA_KM = 50;

/** What a client sends: a postal code (with a country) or both coordinates. */
export interface DeliveryLocationInput {
    postalCode?: string | null;
    countryCode?: string | null;
    latitude?: number | null;
    longitude?: number | null;
}

/** A resolved delivery location. */
export interface DeliveryLocation {
    latitude: number;
    longitude: number;
    postalCode: string | null;
    countryCode: string | null;
}

/**
 * The customer's delivery location: resolved from a postal code or coordinates, stored on the
 * session and on the active order, and read back for search, the cart and checkout.
 */
@Injectable()
export class DeliveryLocationService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly geocoding: GeocodingService,
        private readonly activeOrderService: ActiveOrderService,
        private readonly storeLocator: StoreLocator,
        @Inject(SELLER_STORE_INFO_PLUGIN_OPTIONS) private readonly options: SellerStoreInfoOptions,
    ) {}

    /**
     * Resolves an input: coordinates are checked, a postal code is geocoded. Expected refusals are
     * returned; an input with neither is a broken contract and throws.
     */
    async resolve(
        ctx: RequestContext,
        input: DeliveryLocationInput,
    ): Promise<DeliveryLocation | UnknownPostalCodeError | InvalidCoordinatesError> {
        const { latitude, longitude } = input;
        optionalBoundedText(input.postalCode, 'postalCode', INPUT_LIMITS.postalCode);
        optionalBoundedText(input.countryCode, 'countryCode', INPUT_LIMITS.countryCode);
        if (input.countryCode?.trim() && !/^[A-Za-z]{2}$/.test(input.countryCode.trim())) {
            throw new UserInputError('countryCode must be a two-letter ISO 3166-1 code, such as "US"');
        }
        if (latitude != null || longitude != null) {
            if (latitude == null || longitude == null) {
                return new InvalidCoordinatesError('Give both latitude and longitude, or a postal code');
            }
            const problem = coordinateProblem(latitude, longitude);
            if (problem) return new InvalidCoordinatesError(problem);
            this.logIfSwapped({ latitude, longitude });
            return {
                latitude,
                longitude,
                postalCode: input.postalCode?.trim() || null,
                countryCode: input.countryCode?.trim().toUpperCase() || null,
            };
        }
        const postalCode =
            input.postalCode && boundedText(input.postalCode, 'postalCode', INPUT_LIMITS.postalCode).trim();
        if (!postalCode) {
            throw new UserInputError(
                'Give a delivery location: a postalCode, or both latitude and longitude',
            );
        }
        const countryCode = (input.countryCode?.trim() || this.options.defaultCountryCode)?.toUpperCase();
        if (!countryCode) {
            throw new UserInputError(
                'Give the countryCode of the postal code (this shop has no defaultCountryCode configured)',
            );
        }
        const found = await this.geocoding.geocode(ctx, { postalCode, countryCode });
        if (!found) return new UnknownPostalCodeError(postalCode.toUpperCase(), countryCode);
        return {
            latitude: found.latitude,
            longitude: found.longitude,
            postalCode: found.postalCode,
            countryCode: found.countryCode,
        };
    }

    /** Accepted (the customer may really be there), but worth a line for whoever reads the logs. */
    private logIfSwapped(point: LatLng): void {
        const nearStore = (candidate: LatLng) =>
            this.storeLocator.near(candidate, SERVICE_AREA_KM).length > 0;
        if (looksSwapped(point, nearStore)) {
            Logger.warn(
                `Delivery location ${point.latitude}, ${point.longitude} is far from every store, but near one with latitude and longitude swapped: a client may send them in the wrong order`,
                loggerCtx,
            );
        }
    }

    /**
     * `setDeliveryLocation`: resolves the input and stores it on the session and the active order.
     * The customer's choice is newer than the order's shipping address: that address's postal code
     * counts as applied, so it does not move the location back.
     */
    async set(
        ctx: RequestContext,
        input: DeliveryLocationInput,
    ): Promise<DeliveryLocation | UnknownPostalCodeError | InvalidCoordinatesError> {
        const resolved = await this.resolve(ctx, input);
        if ('errorCode' in resolved) return resolved;
        const fields = toFields(resolved);
        if (ctx.session) {
            await this.connection
                .getRepository(ctx, Session)
                .update(ctx.session.id, { customFields: fields });
        }
        const order = await this.activeOrderService.getActiveOrder(ctx, undefined);
        if (order) {
            const shippingPostalCode = shippingPostalCodeOf(order);
            await this.writeToOrder(ctx, order, {
                ...fields,
                ...(shippingPostalCode ? { deliveryFromShippingPostalCode: shippingPostalCode } : {}),
            });
        }
        return resolved;
    }

    /**
     * The location the shopper works with, read only: the active order's (following its shipping
     * address, see {@link orderLocation}), else the session's. Nothing is written: the order
     * interceptor and the checkout transition store it ({@link settleOnOrder}).
     */
    async active(ctx: RequestContext): Promise<DeliveryLocation | undefined> {
        const orderId = ctx.session?.activeOrderId;
        if (orderId) {
            const order = await this.connection.getRepository(ctx, Order).findOne({ where: { id: orderId } });
            if (order) return (await this.orderLocation(ctx, order)).location;
        }
        return this.sessionLocation(ctx);
    }

    /**
     * Where the order goes, derived in memory, with the custom fields that would store it (`pending`,
     * undefined when the order already says so).
     *
     * The order's stored location, following its shipping address: a shipping postal code that has
     * not been applied yet becomes the delivery location (the address is where the order goes),
     * unless the customer gave coordinates (a stored location without a postal code). A location
     * set after the address stays; an unknown shipping postal code leaves the location as it is.
     * An order without a location of its own takes the session's.
     */
    async orderLocation(ctx: RequestContext, order: Order): Promise<OrderLocation> {
        const stored = fromFields(order.customFields);
        const postalCode = shippingPostalCodeOf(order);
        const givenAsCoordinates = stored && !stored.postalCode;
        let location = stored;
        let pending: Partial<OrderDeliveryFields> | undefined;
        if (
            postalCode &&
            // Not a postal code anyone geocodes; the address stays Vendure's business.
            postalCode.length <= INPUT_LIMITS.postalCode &&
            !givenAsCoordinates &&
            // A mock order (admin testShippingMethod) has no custom fields.
            order.customFields?.deliveryFromShippingPostalCode !== postalCode
        ) {
            const countryCode = order.shippingAddress?.countryCode ?? this.options.defaultCountryCode;
            const resolved = countryCode ? await this.resolve(ctx, { postalCode, countryCode }) : undefined;
            if (resolved && !('errorCode' in resolved)) location = resolved;
            pending = {
                ...(location && location !== stored ? toFields(location) : {}),
                deliveryFromShippingPostalCode: postalCode,
            };
        }
        if (!location) {
            location = await this.sessionLocation(ctx);
            if (location) pending = { ...pending, ...toFields(location) };
        }
        return { location, pending };
    }

    /**
     * Stores on the order the location {@link orderLocation} derives, when it differs from what the
     * order says, and returns it. Called where the order is written anyway: the order interceptor
     * (add to cart) and the checkout transition. Never from a query.
     */
    async settleOnOrder(ctx: RequestContext, order: Order): Promise<DeliveryLocation | undefined> {
        const { location, pending } = await this.orderLocation(ctx, order);
        if (pending) await this.writeToOrder(ctx, order, pending);
        return location;
    }

    /**
     * The location a search delivers to, one rule for every search backend (the SQL strategy and
     * es9): the one in the input (a bad one throws a UserInputError saying why); else, in the shop
     * API, the shopper's ({@link active}, read only). Staff in the admin API search unfiltered
     * unless they give one.
     */
    async forSearch(
        ctx: RequestContext,
        input: { deliveryLocation?: DeliveryLocationInput | null },
    ): Promise<DeliveryLocation | undefined> {
        if (!input.deliveryLocation && ctx.apiType !== 'shop') return undefined;
        return this.given(ctx, input.deliveryLocation);
    }

    /**
     * The location a query works with: the one given (a bad one throws a UserInputError with the
     * reason), else the stored one, else undefined. Read only.
     */
    async given(
        ctx: RequestContext,
        input?: DeliveryLocationInput | null,
    ): Promise<DeliveryLocation | undefined> {
        if (!input) return this.active(ctx);
        const resolved = await this.resolve(ctx, input);
        if ('errorCode' in resolved) throw new UserInputError(resolved.message);
        return resolved;
    }

    private async sessionLocation(ctx: RequestContext): Promise<DeliveryLocation | undefined> {
        if (!ctx.session) return undefined;
        const session = await this.connection
            .getRepository(ctx, Session)
            .findOne({ where: { id: ctx.session.id } });
        return (session && fromFields(session.customFields)) ?? undefined;
    }

    /** Writes the row and the entity in hand, so a later save of the entity keeps the fields. */
    private async writeToOrder(
        ctx: RequestContext,
        order: Order,
        fields: Partial<OrderDeliveryFields>,
    ): Promise<void> {
        await this.connection.getRepository(ctx, Order).update(order.id, { customFields: fields });
        Object.assign(order.customFields, fields);
    }
}

/** The delivery custom fields of an order. */
export type OrderDeliveryFields = DeliveryLocationFields & { deliveryFromShippingPostalCode: string | null };

/** An order's delivery location as derived, and the fields that would store it. */
export interface OrderLocation {
    location: DeliveryLocation | undefined;
    /** Custom fields to write so the order says so; undefined when it already does. */
    pending: Partial<OrderDeliveryFields> | undefined;
}

function shippingPostalCodeOf(order: Order): string | undefined {
    return order.shippingAddress?.postalCode?.trim().toUpperCase() || undefined;
}

export function fromFields(
    fields: Partial<DeliveryLocationFields> | undefined,
): DeliveryLocation | undefined {
    if (fields?.deliveryLatitude == null || fields.deliveryLongitude == null) return undefined;
    return {
        latitude: fields.deliveryLatitude,
        longitude: fields.deliveryLongitude,
        postalCode: fields.deliveryPostalCode ?? null,
        countryCode: fields.deliveryCountryCode ?? null,
    };
}

export function toFields(location: DeliveryLocation): DeliveryLocationFields {
    return {
        deliveryLatitude: location.latitude,
        deliveryLongitude: location.longitude,
        deliveryPostalCode: location.postalCode,
        deliveryCountryCode: location.countryCode,
    };
}
