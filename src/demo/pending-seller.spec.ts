import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ConfigService, ImportParser, LanguageCode } from '@vendure/core';

import {
    demoDataDir,
    loadDemoCatalog,
    loadDemoCity,
    loadDemoPendingSeller,
    productsCsv,
    slugify,
} from './demo-data';

/** The demo's unverified fourth seller (pending-seller.json), beside the three verified ones. */
describe('the demo’s unverified seller', () => {
    const pending = loadDemoPendingSeller();
    const city = loadDemoCity();
    const catalog = Object.values(loadDemoCatalog()).flat();
    const postalCodes = new Set(
        readFileSync(path.join(demoDataDir, 'postal-codes.tsv'), 'utf8')
            .split('\n')
            .map(line => line.split('\t')[1]),
    );

    it('is a seller of its own, with a code no verified seller has', () => {
        expect(city.sellers.map(seller => seller.code)).not.toContain(pending.code);
        expect(city.sellers.map(seller => seller.name)).not.toContain(pending.name);
    });

    it('has a store that could be verified: coordinates in Chicago and a known postal code', () => {
        expect(pending.stores.length).toBeGreaterThan(0);
        for (const store of pending.stores) {
            expect(store.latitude).toBeGreaterThan(41.64);
            expect(store.latitude).toBeLessThan(42.03);
            expect(store.longitude).toBeGreaterThan(-87.95);
            expect(store.longitude).toBeLessThan(-87.52);
            expect(postalCodes.has(store.postalCode)).toBe(true);
        }
    });

    it('has products whose SKUs and slugs the catalogue does not use', () => {
        const skus = new Set(catalog.flatMap(product => product.variants.map(variant => variant.sku)));
        const slugs = new Set(catalog.map(product => slugify(product.name)));
        for (const product of pending.products) {
            expect(slugs.has(slugify(product.name))).toBe(false);
            for (const variant of product.variants) expect(skus.has(variant.sku)).toBe(false);
        }
    });

    it('imports through Vendure’s parser without errors', async () => {
        const parser = new ImportParser({
            defaultLanguageCode: LanguageCode.en,
            customFields: { Product: [], ProductVariant: [] },
        } as unknown as ConfigService);
        const { results, errors } = await parser.parseProducts(productsCsv(pending.products));
        expect(errors).toEqual([]);
        expect(results).toHaveLength(pending.products.length);
    });
});
