export const ES9_PLUGIN_OPTIONS = Symbol('ES9_PLUGIN_OPTIONS');
export const loggerCtx = 'Es9Plugin';

/**
 * Names of es9's custom variant mappings. The community plugin stores a mapping `x` in the
 * Elasticsearch field `variant-x`.
 */
export const GEO_MAPPINGS = {
    storePoints: 'storePoints',
    storeIds: 'storeIds',
    sellerChannelId: 'sellerChannelId',
} as const;

/** The Elasticsearch fields of those mappings. */
export const GEO_FIELDS = {
    storePoints: `variant-${GEO_MAPPINGS.storePoints}`,
    storeIds: `variant-${GEO_MAPPINGS.storeIds}`,
    sellerChannelId: `variant-${GEO_MAPPINGS.sellerChannelId}`,
} as const;

/** The community plugin's variant index, without the prefix. */
export const VARIANT_INDEX = 'variants';

/** Injection token of the factory of raw (unwrapped) search adapters, for es9's own connection. */
export const ES9_ADAPTER_FACTORY = Symbol('ES9_ADAPTER_FACTORY');
