/** The custom fields this plugin adds to Vendure's StockLocation. */
export interface StockLocationGeoFields {
    latitude: number | null;
    longitude: number | null;
    address: string | null;
    postalCode: string | null;
    city: string | null;
}

declare module '@vendure/core/dist/entity/custom-entity-fields' {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface CustomStockLocationFields extends StockLocationGeoFields {}
}
