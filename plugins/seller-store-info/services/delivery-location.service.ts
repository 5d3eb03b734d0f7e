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

    /** `setDeliveryLocation`: resolves the input and stores it on the session and the active order. */
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
        if (order) await this.storeOnOrder(ctx, order, resolved);
        return resolved;
    }

    async storeOnOrder(ctx: RequestContext, order: Order, location: DeliveryLocation): Promise<void> {
        const fields = toFields(location);
        await this.connection.getRepository(ctx, Order).update(order.id, { customFields: fields });
        Object.assign(order.customFields, fields);
    }

    /** The stored location: the active order's, else the session's. */
    async active(ctx: RequestContext): Promise<DeliveryLocation | undefined> {
        const orderId = ctx.session?.activeOrderId;
        if (orderId) {
            const order = await this.connection.getRepository(ctx, Order).findOne({ where: { id: orderId } });
            const fromOrder = order && (await this.followShippingAddress(ctx, order));
            if (fromOrder) return fromOrder;
        }
        if (ctx.session) {
            const session = await this.connection
                .getRepository(ctx, Session)
                .findOne({ where: { id: ctx.session.id } });
            return (session && fromFields(session.customFields)) ?? undefined;
        }
        return undefined;
    }

    /**
     * The order's location, following its shipping address: a shipping postal code that has not
     * been applied yet becomes the delivery location (the address is where the order goes), unless
     * the customer gave coordinates (a stored location without a postal code). A location set
     * after the address stays. An unknown shipping postal code leaves the location as it is.
     */
    async followShippingAddress(ctx: RequestContext, order: Order): Promise<DeliveryLocation | undefined> {
        const stored = fromFields(order.customFields);
        const postalCode = order.shippingAddress?.postalCode?.trim().toUpperCase();
        const givenAsCoordinates = stored && !stored.postalCode;
        if (
            !postalCode ||
            // Not a postal code anyone geocodes; the address stays Vendure's business.
            postalCode.length > INPUT_LIMITS.postalCode ||
            givenAsCoordinates ||
            order.customFields.deliveryFromShippingPostalCode === postalCode
        ) {
            return stored;
        }
        const countryCode = order.shippingAddress?.countryCode ?? this.options.defaultCountryCode;
        const resolved = countryCode ? await this.resolve(ctx, { postalCode, countryCode }) : undefined;
        const location = resolved && !('errorCode' in resolved) ? resolved : stored;
        if (location) await this.storeOnOrder(ctx, order, location);
        await this.connection
            .getRepository(ctx, Order)
            .update(order.id, { customFields: { deliveryFromShippingPostalCode: postalCode } });
        order.customFields.deliveryFromShippingPostalCode = postalCode;
        return location;
    }

    /**
     * The location a query works with: the one given (a bad one throws a UserInputError with the
     * reason), else the stored one, else undefined.
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
