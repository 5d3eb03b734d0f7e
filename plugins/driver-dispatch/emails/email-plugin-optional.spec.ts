/**
 * A shop that copies driver-dispatch without @vendure/email-plugin: the plugin, its services and
 * its notification event load without the package; only the emails module needs it.
 */
describe('driver-dispatch without @vendure/email-plugin', () => {
    afterEach(() => jest.dontMock('@vendure/email-plugin'));

    it('loads the plugin and its notifications without requiring the email plugin', () => {
        const required = jest.fn();
        jest.isolateModules(() => {
            jest.doMock('@vendure/email-plugin', () => {
                required();
                throw new Error("Cannot find module '@vendure/email-plugin'");
            });
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const plugin = require('../index') as typeof import('../index');
            expect(plugin.DriverDispatchPlugin).toBeDefined();
            expect(plugin.DeliveryNotificationService).toBeDefined();
            expect(plugin.DeliveryNotificationEvent).toBeDefined();
            expect(required).not.toHaveBeenCalled();
            // The emails module is the one that needs it (so the mock above was in effect).
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            expect(() => require('./index')).toThrow(/Cannot find module '@vendure\/email-plugin'/);
            expect(required).toHaveBeenCalledTimes(1);
        });
    });

    it('gives the shop the handlers from the emails module when the package is installed', () => {
        jest.isolateModules(() => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const emails = require('./index') as typeof import('./index');
            expect(emails.deliveryEmailHandlers.map(handler => handler.type)).toEqual([
                'delivery-driver-assigned',
                'delivery-picked-up',
                'delivery-delivered',
                'delivery-failed',
            ]);
        });
    });
});
