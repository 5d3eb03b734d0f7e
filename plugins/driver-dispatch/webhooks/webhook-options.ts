/**
 * @description
 * Options of the delivery webhooks (`DriverDispatchPluginOptions.webhooks`): how the plugin POSTs
 * the delivery events to the endpoints staff configure (`createDeliveryWebhook`). See the plugin
 * README, "Webhooks".
 */
export interface DeliveryWebhookOptions {
    /**
     * @description
     * Allow endpoints on private, loopback, link-local and other non-public addresses (10/8,
     * 127/8, 169.254/16, 192.168/16, fc00::/7, ::1, ...). Off, such a URL is refused when staff save
     * it, and a host name that resolves to such an address is refused when the event is sent (the
     * connection goes to the address that was checked), so the webhooks cannot reach the shop's
     * own network. Switch it on only for tests and local development.
     *
     * @default false
     */
    allowPrivateTargets: boolean;
    /**
     * @description
     * Attempts per event and endpoint, the first one included. An event that fails every attempt
     * is marked FAILED and counted on its endpoint.
     *
     * @default 10
     */
    maxAttempts: number;
    /**
     * @description
     * Delay before the first retry; each further retry waits twice as long, up to
     * `retryMaxDelayMs` (10 s, 20 s, 40 s, ... with the defaults: ten attempts span about 1.4 h).
     * The job queue applies it: wire {@link DriverDispatchPlugin.webhookRetryDelayMs} into its
     * backoff (see the README).
     *
     * @default 10000
     */
    retryBaseDelayMs: number;
    /**
     * @description
     * The longest wait between two attempts.
     *
     * @default 3600000 (one hour)
     */
    retryMaxDelayMs: number;
    /**
     * @description
     * How long one POST may take (connecting, sending, the response's status). Longer counts as a
     * failed attempt.
     *
     * @default 10000
     */
    timeoutMs: number;
    /**
     * @description
     * An endpoint whose last this many attempts failed in a row is reported as failing
     * (`DeliveryWebhook.failing`, red on the dashboard). It is never disabled by the plugin: a
     * disabled endpoint would lose the events from then on without anyone deciding it; staff
     * disable it themselves.
     *
     * @default 3
     */
    failingAfterConsecutiveFailures: number;
}

export const defaultDeliveryWebhookOptions: DeliveryWebhookOptions = {
    allowPrivateTargets: false,
    maxAttempts: 10,
    retryBaseDelayMs: 10_000,
    retryMaxDelayMs: 3_600_000,
    timeoutMs: 10_000,
    failingAfterConsecutiveFailures: 3,
};

/** The options with their defaults. */
export function resolveWebhookOptions(options?: Partial<DeliveryWebhookOptions>): DeliveryWebhookOptions {
    return { ...defaultDeliveryWebhookOptions, ...options };
}

/** Why the webhook options cannot work, or undefined when they can. */
export function webhookOptionsProblem(options: DeliveryWebhookOptions): string | undefined {
    const wholePositive: Array<[keyof DeliveryWebhookOptions, unknown]> = [
        ['maxAttempts', options.maxAttempts],
        ['retryBaseDelayMs', options.retryBaseDelayMs],
        ['retryMaxDelayMs', options.retryMaxDelayMs],
        ['timeoutMs', options.timeoutMs],
        ['failingAfterConsecutiveFailures', options.failingAfterConsecutiveFailures],
    ];
    for (const [name, value] of wholePositive) {
        if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
            return `webhooks.${name} must be a whole number above 0`;
        }
    }
    if (options.retryMaxDelayMs < options.retryBaseDelayMs) {
        return 'webhooks.retryMaxDelayMs must not be below webhooks.retryBaseDelayMs';
    }
    if (typeof options.allowPrivateTargets !== 'boolean')
        return 'webhooks.allowPrivateTargets must be a boolean';
    return undefined;
}

/**
 * How long the job queue waits before the next attempt, after `attemptsMade` attempts failed
 * (1 after the first): `retryBaseDelayMs` doubled per failed attempt after the first, at most
 * `retryMaxDelayMs`.
 */
export function webhookRetryDelay(attemptsMade: number, options: DeliveryWebhookOptions): number {
    const exponent = Math.min(Math.max(0, Math.floor(attemptsMade) - 1), 40);
    return Math.min(options.retryBaseDelayMs * 2 ** exponent, options.retryMaxDelayMs);
}
