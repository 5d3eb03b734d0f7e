/** Code of the payment method that settles at once (demo and tests; a real shop adds its provider). */
export const INSTANT_PAYMENT_METHOD_CODE = 'instant-payment';
export const loggerCtx = 'MarketplacePlugin';
