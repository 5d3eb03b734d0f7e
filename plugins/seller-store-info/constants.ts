export const SELLER_STORE_INFO_PLUGIN_OPTIONS = Symbol('SELLER_STORE_INFO_PLUGIN_OPTIONS');
export const loggerCtx = 'SellerStoreInfoPlugin';
