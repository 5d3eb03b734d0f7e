import type { ID } from '@vendure/common/lib/shared-types';
import { InternalServerError } from '@vendure/core';

import { DeliveryScope } from './delivery-search-query';

/**
 * The delivery scope of each search input, resolved before the search runs. The community
 * plugin's `mapQuery` and `mapSort` are synchronous and see only the input, while resolving a
 * postal code or the location stored on the session needs the database: es9's interceptor
 * resolves it first and records it here, keyed by the input object the resolver then passes on.
 * A WeakMap, so nothing outlives its request.
 */
export class DeliveryScopes {
    private readonly scopes = new WeakMap<object, DeliveryScope | null>();
    private readonly hiddenSellers = new WeakMap<object, readonly ID[]>();

    record(input: object, scope: DeliveryScope | undefined): void {
        this.scopes.set(input, scope ?? null);
    }

    /** Seller verification: the channels of unverified sellers, hidden from this (shop) search. */
    recordHiddenSellers(input: object, channelIds: readonly ID[]): void {
        this.hiddenSellers.set(input, channelIds);
    }

    hiddenSellersFor(input: object): readonly ID[] | undefined {
        return this.hiddenSellers.get(input);
    }

    /**
     * The scope of an input. An input that carries a delivery location but was never resolved
     * would otherwise be searched unfiltered, showing what cannot be delivered: refuse it.
     */
    forInput(input: object): DeliveryScope | undefined {
        if (this.scopes.has(input)) return this.scopes.get(input) ?? undefined;
        if ((input as { deliveryLocation?: unknown }).deliveryLocation) {
            throw new InternalServerError(
                'es9 could not apply the delivery location to this search: it was not resolved before the query (is Es9Plugin registered?)',
            );
        }
        return undefined;
    }
}
