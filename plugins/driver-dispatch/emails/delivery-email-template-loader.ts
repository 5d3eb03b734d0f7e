import { existsSync } from 'node:fs';
import path from 'node:path';

import { Injector, RequestContext } from '@vendure/core';
import { FileBasedTemplateLoader, LoadTemplateInput, Partial, TemplateLoader } from '@vendure/email-plugin';

import { DELIVERY_EMAIL_TYPES } from './delivery-email-handlers';

const DELIVERY_TYPES = new Set<string>(Object.values(DELIVERY_EMAIL_TYPES));

/**
 * The folder of the plugin's own templates (`<type>/body.hbs`, `partials/`). From source (ts-node,
 * jest) it is beside this file; compiled, `npm run build:server` copies it beside the compiled file
 * (`dist/plugins/driver-dispatch/emails/templates`), and a build without that copy step still finds
 * the source folder from `dist/plugins/driver-dispatch/emails`.
 */
export function deliveryEmailTemplateDir(moduleDir: string = __dirname): string {
    const candidates = [
        path.join(moduleDir, 'templates'),
        path.resolve(moduleDir, '../../../../plugins/driver-dispatch/emails/templates'),
    ];
    return candidates.find(dir => existsSync(path.join(dir, 'partials'))) ?? candidates[0];
}

/**
 * @description
 * The shop's templates first, the plugin's delivery templates behind them: give it to
 * `EmailPlugin.init({ templateLoader })` in place of a `templatePath`. A delivery email
 * (`delivery-driver-assigned`, `delivery-picked-up`, `delivery-delivered`, `delivery-failed`) is
 * read from the shop's templates when they have it (`<templatePath>/<type>/body.hbs`, or whatever
 * the shop's own loader finds), else from the plugin's. Partials likewise: the shop's, and the
 * plugin's (`delivery-header`, `delivery-footer`) unless the shop has one of the same name.
 *
 * A loader of the shop's own (the second form of the first argument) says "not mine" by rejecting
 * with an error whose `code` is `ENOENT`, as reading a missing file does; any other error is the
 * shop's and is not hidden.
 */
export class DeliveryEmailTemplateLoader implements TemplateLoader {
    private readonly shop: TemplateLoader;
    private readonly own: FileBasedTemplateLoader;

    /**
     * @param shopTemplates the shop's template folder (as `templatePath`) or its own TemplateLoader
     * @param deliveryTemplatePath the plugin's templates; found by {@link deliveryEmailTemplateDir}
     */
    constructor(shopTemplates: string | TemplateLoader, deliveryTemplatePath = deliveryEmailTemplateDir()) {
        this.shop =
            typeof shopTemplates === 'string' ? new FileBasedTemplateLoader(shopTemplates) : shopTemplates;
        this.own = new FileBasedTemplateLoader(deliveryTemplatePath);
    }

    async loadTemplate(injector: Injector, ctx: RequestContext, input: LoadTemplateInput): Promise<string> {
        if (!DELIVERY_TYPES.has(input.type)) return this.shop.loadTemplate(injector, ctx, input);
        try {
            return await this.shop.loadTemplate(injector, ctx, input);
        } catch (error) {
            if (!isNotFound(error)) throw error;
            return this.own.loadTemplate(injector, ctx, input);
        }
    }

    async loadPartials(): Promise<Partial[]> {
        // A shop folder without partials/ is fine: the delivery templates bring their own.
        const shops = (await this.shop.loadPartials?.().catch(ignoreNotFound)) ?? [];
        const names = new Set(shops.map(partial => partial.name));
        const own = await this.own.loadPartials();
        return [...shops, ...own.filter(partial => !names.has(partial.name))];
    }
}

function ignoreNotFound(error: unknown): Partial[] {
    if (isNotFound(error)) return [];
    throw error;
}

function isNotFound(error: unknown): boolean {
    return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
