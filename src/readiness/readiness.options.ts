export const READINESS_PLUGIN_OPTIONS = Symbol('READINESS_PLUGIN_OPTIONS');

export interface ReadinessPluginOptions {
    /** Checked with PING when set. */
    redisUrl?: string;
    /** Checked with `GET /_cluster/health` when set (status red counts as down). */
    elasticsearchUrl?: string;
    /**
     * Each check fails after this long.
     *
     * @default 2000
     */
    timeoutMs?: number;
}
