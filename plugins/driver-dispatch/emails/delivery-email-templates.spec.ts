import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Injector, RequestContext } from '@vendure/core';
import { HandlebarsMjmlGenerator, TemplateLoader } from '@vendure/email-plugin';

import {
    DeliveryNotificationEvent,
    DeliveryNotificationKind,
} from '../notifications/delivery-notification-event';
import { DELIVERY_EMAIL_TYPES, deliveryEmailTemplateVars } from './delivery-email-handlers';
import { deliveryEmailTemplateDir, DeliveryEmailTemplateLoader } from './delivery-email-template-loader';
import { mockDeliveryNotificationEvent } from './mock-delivery-notification-event';

const VENDURE_TEMPLATES = path.join(
    path.dirname(require.resolve('@vendure/email-plugin/package.json')),
    'templates',
);
const injector = {} as Injector;
const ctx = {} as RequestContext;

function eventOf(
    kind: DeliveryNotificationKind,
    details: Partial<DeliveryNotificationEvent['details']> = {},
) {
    const mock = mockDeliveryNotificationEvent(kind);
    return { ...mock, details: { ...mock.details, ...details } } as DeliveryNotificationEvent;
}

/** The email as the email plugin makes it: the loader's template and partials through Handlebars and MJML. */
async function render(loader: TemplateLoader, event: DeliveryNotificationEvent) {
    const generator = new HandlebarsMjmlGenerator();
    await generator.onInit({ templateLoader: loader } as never);
    const type = DELIVERY_EMAIL_TYPES[event.kind];
    const template = await loader.loadTemplate(injector, ctx, {
        type,
        templateName: 'body.hbs',
        templateVars: {},
    });
    const { body } = await generator.generate('shop@example.com', 'subject', template, {
        ...deliveryEmailTemplateVars(event),
    });
    return { html: body, text: textOf(body) };
}

function textOf(html: string): string {
    return (
        html
            .replace(/<(style|title)[\s\S]*?<\/\1>/g, ' ')
            // Inline tags join the text they wrap ("<strong>X</strong>." reads "X.").
            .replace(/<\/?(strong|a|span|em|b)\b[^>]*>/g, '')
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim()
    );
}

const loader = new DeliveryEmailTemplateLoader(VENDURE_TEMPLATES);

describe('the delivery email templates', () => {
    it('say who is coming, when, the code and the tracking link in the driver-assigned email', async () => {
        const { html, text } = await render(loader, eventOf(DeliveryNotificationKind.DRIVER_ASSIGNED));
        expect(text).toContain('Hello Alex');
        expect(text).toContain('Sam Rivera is on the way with your order W6RV1Q2RYFXLQB2A from Loop Market');
        expect(text).toContain('Expected in about 14 minutes');
        expect(text).toContain('Your delivery code is 482913');
        expect(html).toContain('href="http://localhost:3000/track/example-token"');
    });

    it.each([
        [DeliveryNotificationKind.PICKED_UP, 'Sam Rivera has collected your order W6RV1Q2RYFXLQB2A'],
        [DeliveryNotificationKind.DELIVERED, 'has been delivered by Sam Rivera'],
        [DeliveryNotificationKind.FAILED, 'could not hand your order over at your address'],
    ])('render the %s email', async (kind, expected) => {
        const { text } = await render(loader, eventOf(kind));
        expect(text).toContain(expected);
        expect(text).not.toMatch(/undefined|null|\[object/);
    });

    it('tell a customer whose delivery failed what happens next', async () => {
        const { text } = await render(loader, eventOf(DeliveryNotificationKind.FAILED, { reasonCode: null }));
        expect(text).toContain('could not be delivered, because the delivery could not be completed');
        expect(text).toContain('What happens next: your order is not cancelled');
    });

    it('leave out what is not known instead of printing it empty', async () => {
        const { text, html } = await render(
            loader,
            eventOf(DeliveryNotificationKind.DRIVER_ASSIGNED, {
                etaMinutes: null,
                trackingUrl: null,
                deliveryCode: null,
                driverName: null,
                storeName: null,
            }),
        );
        expect(text).toContain('A driver is on the way with your order W6RV1Q2RYFXLQB2A.');
        expect(text).not.toMatch(/Expected in|delivery code|Track your delivery|undefined|null/);
        expect(html).not.toContain('/track/');
    });
});

describe('DeliveryEmailTemplateLoader', () => {
    let shopDir: string;
    beforeEach(() => {
        shopDir = mkdtempSync(path.join(os.tmpdir(), 'shop-templates-'));
    });
    afterEach(() => rmSync(shopDir, { recursive: true, force: true }));

    it("uses the shop's own template and partials of a delivery email before the plugin's", async () => {
        mkdirSync(path.join(shopDir, 'delivery-picked-up'));
        mkdirSync(path.join(shopDir, 'partials'));
        writeFileSync(
            path.join(shopDir, 'delivery-picked-up', 'body.hbs'),
            '{{> delivery-header title="On its way" }}<mj-section><mj-column><mj-text>Shop text: {{ driverName }}</mj-text></mj-column></mj-section>{{> delivery-footer }}',
        );
        writeFileSync(
            path.join(shopDir, 'partials', 'delivery-footer.hbs'),
            '<mj-section><mj-column><mj-text>Shop footer</mj-text></mj-column></mj-section></mj-body></mjml>',
        );
        const shops = new DeliveryEmailTemplateLoader(shopDir);
        const pickedUp = await render(shops, eventOf(DeliveryNotificationKind.PICKED_UP));
        expect(pickedUp.text).toContain('Shop text: Sam Rivera');
        expect(pickedUp.text).toContain('Shop footer');
        // The other delivery emails still come from the plugin (with the shop's footer).
        const delivered = await render(shops, eventOf(DeliveryNotificationKind.DELIVERED));
        expect(delivered.text).toContain('has been delivered by Sam Rivera');
        expect(delivered.text).toContain('Shop footer');
    });

    it("reads other emails from the shop's templates only, and does not hide a loader's own errors", async () => {
        const shops = new DeliveryEmailTemplateLoader(VENDURE_TEMPLATES);
        const input = { type: 'order-confirmation', templateName: 'body.hbs', templateVars: {} };
        expect(await shops.loadTemplate(injector, ctx, input)).toContain('Order Summary');
        const empty = new DeliveryEmailTemplateLoader(shopDir);
        await expect(empty.loadTemplate(injector, ctx, input)).rejects.toMatchObject({ code: 'ENOENT' });
        const failing = new DeliveryEmailTemplateLoader({
            loadTemplate: () => Promise.reject(new Error('template store unreachable')),
        });
        await expect(
            failing.loadTemplate(injector, ctx, { ...input, type: 'delivery-delivered' }),
        ).rejects.toThrow('template store unreachable');
    });

    it('finds its templates from source and from a compiled dist/ without them', () => {
        expect(deliveryEmailTemplateDir()).toBe(path.join(__dirname, 'templates'));
        const compiled = path.resolve(
            __dirname,
            '../../../dist-without-templates/plugins/driver-dispatch/emails',
        );
        expect(deliveryEmailTemplateDir(compiled)).toBe(path.join(__dirname, 'templates'));
    });
});
