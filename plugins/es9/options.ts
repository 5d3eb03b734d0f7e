/**
 * @description
 * Options of the {@link Es9Plugin}. The delivery radius is seller-store-info's `maxDistanceKm`:
 * one rule, one setting.
 */
export interface Es9PluginOptions {
    /**
     * @description
     * URL of the Elasticsearch 9 node, e.g. `http://localhost:9200`. Credentials may be part of
     * the URL (`https://user:password@host:9200`).
     */
    url: string;
    /**
     * @description
     * Prefix of the index names, so several shops can share one cluster.
     *
     * @default 'vendure-'
     */
    indexPrefix?: string;
    /**
     * @description
     * Index settings passed to the community plugin's `indexSettings` (analysers, shards,
     * replicas). Changing them needs a reindex.
     *
     * @default {}
     */
    indexSettings?: object;
    /**
     * @description
     * How often each process checks that Elasticsearch answers. When it comes back after being
     * down (also down at start), indexing resumes and a full reindex catches up on the changes
     * missed meanwhile.
     *
     * @default 10000
     */
    connectionCheckIntervalMs?: number;
    /**
     * @description
     * Timeout of each Elasticsearch request. A search fails with a clear error after it rather
     * than hanging a storefront.
     *
     * @default 5000
     */
    requestTimeoutMs?: number;
}

/** The options with their defaults applied. */
export type Es9Options = Required<Es9PluginOptions>;

export function withDefaults(options: Es9PluginOptions): Es9Options {
    return {
        indexPrefix: 'vendure-',
        indexSettings: {},
        connectionCheckIntervalMs: 10_000,
        requestTimeoutMs: 5_000,
        ...options,
    };
}
