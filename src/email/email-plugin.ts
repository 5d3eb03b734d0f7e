import path from 'node:path';

import { Type } from '@vendure/core';
import { defaultEmailHandlers, EmailPlugin, EmailPluginOptions } from '@vendure/email-plugin';

import { deliveryEmailHandlers, DeliveryEmailTemplateLoader } from '../../plugins/driver-dispatch/emails';
import { RuntimeSettings } from '../runtime/settings';

/** The route of the email plugin's dev mailbox: `/mailbox` lists the emails, `/mailbox/list` as JSON. */
export const DEV_MAILBOX_ROUTE = 'mailbox';

/** Vendure's own templates (order confirmation, password reset, ...), as the email plugin ships them. */
const VENDURE_TEMPLATES = path.join(
    path.dirname(require.resolve('@vendure/email-plugin/package.json')),
    'templates',
);

/**
 * Vendure's email plugin with its default emails and driver-dispatch's delivery emails: in the dev
 * mailbox (`/mailbox`, files under the data dir) when `devMailbox` is on (the embedded default),
 * else over `SMTP_URL`; without either no email plugin (nothing is sent, nothing is queued).
 */
export function emailPlugin(settings: RuntimeSettings): Type<EmailPlugin> | undefined {
    const shared = {
        handlers: [...defaultEmailHandlers, ...deliveryEmailHandlers],
        // The shop's templates are Vendure's; the delivery ones come from the plugin behind them.
        templateLoader: new DeliveryEmailTemplateLoader(VENDURE_TEMPLATES),
        globalTemplateVars: {
            fromAddress: '"Quick Delivery" <noreply@example.com>',
            // Links of Vendure's account emails: a storefront would serve these pages.
            verifyEmailAddressUrl: `${settings.publicBaseUrl}/verify`,
            passwordResetUrl: `${settings.publicBaseUrl}/password-reset`,
            changeEmailAddressUrl: `${settings.publicBaseUrl}/verify-email-address-change`,
        },
    } satisfies Partial<EmailPluginOptions>;
    if (settings.devMailbox) {
        // The file transport only: nothing leaves the machine.
        return EmailPlugin.init({
            ...shared,
            devMode: true,
            route: DEV_MAILBOX_ROUTE,
            outputPath: path.join(settings.dataDir, 'mailbox'),
        });
    }
    if (settings.smtpUrl) {
        return EmailPlugin.init({ ...shared, transport: { type: 'smtp', url: settings.smtpUrl } });
    }
    return undefined;
}
