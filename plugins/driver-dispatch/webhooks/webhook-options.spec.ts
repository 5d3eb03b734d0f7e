import { resolveWebhookOptions, webhookOptionsProblem, webhookRetryDelay } from './webhook-options';

describe('webhook options', () => {
    it('doubles the delay per failed attempt, from the base, up to the cap', () => {
        const options = resolveWebhookOptions({ retryBaseDelayMs: 1000, retryMaxDelayMs: 10_000 });
        expect([1, 2, 3, 4, 5, 6, 50].map(attempts => webhookRetryDelay(attempts, options))).toEqual([
            1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
        ]);
    });

    it('refuses options that cannot work', () => {
        expect(webhookOptionsProblem(resolveWebhookOptions())).toBeUndefined();
        expect(webhookOptionsProblem(resolveWebhookOptions({ maxAttempts: 0 }))).toMatch(/maxAttempts/);
        expect(webhookOptionsProblem(resolveWebhookOptions({ timeoutMs: 1.5 }))).toMatch(/timeoutMs/);
        expect(
            webhookOptionsProblem(resolveWebhookOptions({ retryBaseDelayMs: 5000, retryMaxDelayMs: 1000 })),
        ).toMatch(/retryMaxDelayMs/);
    });
});
