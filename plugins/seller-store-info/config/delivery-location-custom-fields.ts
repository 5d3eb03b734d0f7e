import { CustomFieldConfig, LanguageCode } from '@vendure/core';

const en = (value: string) => [{ languageCode: LanguageCode.en, value }];

/**
 * The customer's delivery location, set through `setDeliveryLocation` (or a shipping address with
 * a postal code), never written directly through the API.
 */
function deliveryLocationFields(options: { public: boolean }): CustomFieldConfig[] {
    const common = {
        nullable: true,
        readonly: true,
        public: options.public,
        internal: !options.public,
    } as const;
    return [
        { name: 'deliveryLatitude', type: 'float', label: en('Delivery latitude'), ...common },
        { name: 'deliveryLongitude', type: 'float', label: en('Delivery longitude'), ...common },
        { name: 'deliveryPostalCode', type: 'string', label: en('Delivery postal code'), ...common },
        { name: 'deliveryCountryCode', type: 'string', label: en('Delivery country code'), ...common },
    ];
}

/** On the order (copied to its seller orders), visible to the customer and staff. */
export const orderDeliveryLocationFields: CustomFieldConfig[] = [
    ...deliveryLocationFields({ public: true }),
    // The shipping postal code last turned into the delivery location: a new shipping address
    // moves the location once, and a location set afterwards is not overridden by the old address.
    {
        name: 'deliveryFromShippingPostalCode',
        type: 'string',
        nullable: true,
        internal: true,
        readonly: true,
    },
];

/** On the session, so searches before the first cart item use it too. */
export const sessionDeliveryLocationFields = deliveryLocationFields({ public: false });

/**
 * The store a line was allocated from: its stock is sold, released or cancelled there. A string
 * (not an int, not a relation): it holds a StockLocation id of any EntityIdStrategy, UUIDs too, and
 * keeps the field's name in the admin API.
 */
export const orderLineServingStoreFields: CustomFieldConfig[] = [
    {
        name: 'servingStockLocationId',
        type: 'string',
        nullable: true,
        readonly: true,
        public: false,
        label: en('Serving store'),
    },
];
