/**
 * @description
 * Options of the {@link Es9Plugin}.
 */
export interface Es9PluginOptions {
    /**
     * @description
     * URL of the Elasticsearch 9 node, e.g. `http://localhost:9200`.
     */
    url: string;
    /**
     * @description
     * Prefix of the index names, so several shops can share one cluster.
     *
     * @default 'vendure-'
     */
    indexPrefix?: string;
}
