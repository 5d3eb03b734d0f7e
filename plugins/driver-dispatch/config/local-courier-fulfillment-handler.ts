import { FulfillmentHandler, LanguageCode } from '@vendure/core';

export const LOCAL_COURIER_HANDLER_CODE = 'local-courier';

/**
 * @description
 * The Fulfillment of a delivery by a driver of the platform's fleet. Dispatch creates it when an
 * order is marked ready and moves it along with the delivery (Shipped at pickup, Delivered at
 * delivery), so it needs no arguments from staff.
 */
export const localCourierFulfillmentHandler = new FulfillmentHandler({
    code: LOCAL_COURIER_HANDLER_CODE,
    description: [{ languageCode: LanguageCode.en, value: 'Local courier (driver dispatch)' }],
    args: {},
    createFulfillment: (ctx, orders) => ({
        method: 'Local courier',
        // The order code is what the driver and the store both see on the parcel.
        trackingCode: orders.map(order => order.code).join(', '),
    }),
});
