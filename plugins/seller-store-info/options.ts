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
}

export const defaultSellerStoreInfoOptions: Required<SellerStoreInfoPluginOptions> = {
    maxDistanceKm: 5,
};
