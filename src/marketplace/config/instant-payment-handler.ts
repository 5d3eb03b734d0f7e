import { LanguageCode, PaymentMethodHandler } from '@vendure/core';

/**
 * Settles every payment at once. For the demo marketplace and the tests: a real shop replaces it
 * with its payment provider. Seller orders get their share through the same handler.
 */
export const instantPaymentHandler = new PaymentMethodHandler({
    code: 'instant-payment-handler',
    description: [{ languageCode: LanguageCode.en, value: 'Instant payment (settles at once; demo)' }],
    args: {},
    createPayment: (_ctx, order, amount, _args, metadata) => ({
        amount,
        state: 'Settled' as const,
        transactionId: `instant-${order.code}-${Date.now()}`,
        metadata: { ...metadata },
    }),
    settlePayment: () => ({ success: true }),
});
