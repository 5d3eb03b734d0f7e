import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ConfigService, ImportParser, LanguageCode } from '@vendure/core';

import {
    DemoCatalog,
    DemoCity,
    demoDataDir,
    DemoProduct,
    loadDemoCatalog,
    loadDemoCity,
    productsCsv,
    slugify,
    stockPerStore,
} from './demo-data';

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine), computed here independently of the suite's geo code. */
function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
    const rad = (degrees: number) => (degrees * Math.PI) / 180;
    const dLat = rad(b.latitude - a.latitude);
    const dLon = rad(b.longitude - a.longitude);
    const h =
        Math.sin(dLat / 2) ** 2 +
        Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

/** Vendure's own CSV parser, as the importer runs it (no custom fields in the import). */
const importParser = new ImportParser({
    defaultLanguageCode: LanguageCode.en,
    customFields: { Product: [], ProductVariant: [] },
} as unknown as ConfigService);

/** Rows of a CSV without quoted fields. */
function plainRows(csv: string): string[][] {
    return csv
        .trimEnd()
        .split('\n')
        .map(line => line.split(','));
}

/** A row as an object keyed by the header. */
function rowObjects(csv: string): Array<Record<string, string>> {
    const [header, ...rows] = plainRows(csv);
    return rows.map(row => Object.fromEntries(header.map((column, i) => [column, row[i]])));
}

const milk: DemoProduct = {
    name: 'Whole Milk 1 gal',
    description: 'Fresh whole milk.',
    category: 'Dairy',
    taxCategory: 'Reduced Tax',
    variants: [{ sku: 'T-001', price: 429 }],
};

const yogurt: DemoProduct = {
    name: 'Greek Yogurt',
    description: 'Thick strained yogurt.',
    category: 'Dairy',
    taxCategory: 'Reduced Tax',
    optionGroup: 'Flavor',
    variants: [
        { sku: 'T-002-1', price: 189, option: 'Plain' },
        { sku: 'T-002-2', price: 209, option: 'Honey' },
        { sku: 'T-002-3', price: 1000, option: 'Strawberry' },
    ],
};

describe('productsCsv', () => {
    it('starts with the header columns of Vendure’s product import', () => {
        const [header] = plainRows(productsCsv([milk]));
        expect(header).toEqual([
            'name',
            'slug',
            'description',
            'assets',
            'facets',
            'optionGroups',
            'optionValues',
            'sku',
            'price',
            'taxCategory',
            'stockOnHand',
            'trackInventory',
            'variantAssets',
            'variantFacets',
        ]);
    });

    it('is read by Vendure’s import parser without errors', async () => {
        const { results, errors, processed } = await importParser.parseProducts(productsCsv([milk, yogurt]));
        expect(errors).toEqual([]);
        expect(processed).toBe(2);
        expect(results.map(result => result.product.translations[0].name)).toEqual([
            'Whole Milk 1 gal',
            'Greek Yogurt',
        ]);
    });

    it('writes one row per variant, the product details on the first row only', () => {
        const rows = rowObjects(productsCsv([yogurt]));
        expect(rows).toHaveLength(3);
        expect(rows[0]).toMatchObject({
            name: 'Greek Yogurt',
            slug: 'greek-yogurt',
            description: 'Thick strained yogurt.',
            facets: 'category:Dairy',
            optionGroups: 'Flavor',
            optionValues: 'Plain',
            sku: 'T-002-1',
            price: '1.89',
        });
        for (const [row, option, sku, price] of [
            [rows[1], 'Honey', 'T-002-2', '2.09'],
            [rows[2], 'Strawberry', 'T-002-3', '10.00'],
        ] as const) {
            expect(row).toMatchObject({
                name: '',
                slug: '',
                description: '',
                facets: '',
                optionGroups: '',
                optionValues: option,
                sku,
                price,
            });
        }
    });

    it('groups the variants under their product with their option values, as the importer sees them', async () => {
        const { results, errors } = await importParser.parseProducts(productsCsv([milk, yogurt]));
        expect(errors).toEqual([]);
        const [parsedMilk, parsedYogurt] = results;
        expect(parsedMilk.variants.map(variant => variant.sku)).toEqual(['T-001']);
        expect(parsedMilk.product.optionGroups).toEqual([]);
        expect(parsedYogurt.variants.map(variant => variant.sku)).toEqual(['T-002-1', 'T-002-2', 'T-002-3']);
        expect(parsedYogurt.variants.map(variant => variant.translations[0].optionValues)).toEqual([
            ['Plain'],
            ['Honey'],
            ['Strawberry'],
        ]);
        expect(parsedYogurt.product.optionGroups[0].translations[0]).toMatchObject({
            name: 'Flavor',
            values: ['Plain', 'Honey', 'Strawberry'],
        });
        expect(parsedYogurt.product.facets[0].translations[0]).toMatchObject({
            facet: 'category',
            value: 'Dairy',
        });
        expect(parsedYogurt.variants.every(variant => variant.taxCategory === 'Reduced Tax')).toBe(true);
    });

    it.each([
        [429, '4.29'],
        [1000, '10.00'],
        [5, '0.05'],
        [123456, '1234.56'],
    ])('writes a price of %i cents as %s', (cents, written) => {
        const [row] = rowObjects(productsCsv([{ ...milk, variants: [{ sku: 'T-009', price: cents }] }]));
        expect(row.price).toBe(written);
    });

    it('leaves stock at 0 and tracks inventory', () => {
        const rows = rowObjects(productsCsv([yogurt]));
        expect(rows.map(row => [row.stockOnHand, row.trackInventory])).toEqual([
            ['0', 'true'],
            ['0', 'true'],
            ['0', 'true'],
        ]);
    });

    it('quotes fields with commas and double quotes so that they survive the import', async () => {
        const tricky: DemoProduct = {
            ...milk,
            name: 'Milk, whole',
            description: 'The "real" thing, from Wisconsin',
        };
        const csv = productsCsv([tricky]);
        expect(csv.split('\n')[1]).toMatch(/^"Milk, whole",milk-whole,"The ""real"" thing, from Wisconsin",/);

        const { results, errors } = await importParser.parseProducts(csv);
        expect(errors).toEqual([]);
        expect(results[0].product.translations[0]).toMatchObject({
            name: 'Milk, whole',
            slug: 'milk-whole',
            description: 'The "real" thing, from Wisconsin',
        });
        expect(results[0].variants[0].sku).toBe('T-001');
    });
});

describe('slugify', () => {
    it.each([
        ['Whole Milk 1 gal', 'whole-milk-1-gal'],
        ['Large Brown Eggs (dozen)', 'large-brown-eggs-dozen'],
        ['SPF 50 Sunscreen', 'spf-50-sunscreen'],
        ["The florist's choice", 'the-florist-s-choice'],
        ['  --Hello,   World!--  ', 'hello-world'],
    ])('turns %j into %j', (text, slug) => {
        expect(slugify(text)).toBe(slug);
    });
});

describe('stockPerStore', () => {
    it('gives a seller without stores no stock levels', () => {
        expect(stockPerStore('LG-001', 0)).toEqual([]);
    });

    const skus = Array.from({ length: 200 }, (_, i) => `SKU-${i}`);

    it('gives the same stock for a SKU on every run', () => {
        expect(stockPerStore('LG-003-1', 4)).toEqual(stockPerStore('LG-003-1', 4));
        expect(stockPerStore('SF-013-2', 3)).toEqual(stockPerStore('SF-013-2', 3));
    });

    it('gives different SKUs different stock', () => {
        const distinct = new Set(skus.map(sku => stockPerStore(sku, 4).join(',')));
        expect(distinct.size).toBeGreaterThan(100);
    });

    it('has one level per store', () => {
        for (let storeCount = 1; storeCount <= 12; storeCount++) {
            expect(stockPerStore('LG-001', storeCount)).toHaveLength(storeCount);
        }
    });

    it('always stocks at least one store, with non-negative whole quantities', () => {
        for (const storeCount of [1, 2, 3, 4, 6]) {
            for (const sku of skus) {
                const levels = stockPerStore(sku, storeCount);
                expect(levels.some(level => level > 0)).toBe(true);
                expect(levels.every(level => Number.isInteger(level) && level >= 0)).toBe(true);
            }
        }
    });

    describe('over the demo catalogue', () => {
        const city = loadDemoCity();
        const catalog = loadDemoCatalog();
        const pairs = city.sellers.flatMap(seller =>
            (catalog[seller.code] ?? []).flatMap(product =>
                product.variants.map(variant => ({
                    sku: variant.sku,
                    levels: stockPerStore(variant.sku, seller.stores.length),
                })),
            ),
        );

        it('covers every variant of the catalogue', () => {
            const variantCount = Object.values(catalog).flatMap(products =>
                products.flatMap(product => product.variants),
            ).length;
            expect(pairs).toHaveLength(variantCount);
        });

        it('stocks every variant in at least one store of its seller', () => {
            const unstocked = pairs
                .filter(pair => !pair.levels.some(level => level > 0))
                .map(pair => pair.sku);
            expect(unstocked).toEqual([]);
        });

        it('leaves some stores without some variants', () => {
            const levels = pairs.flatMap(pair => pair.levels);
            expect(levels.filter(level => level === 0).length).toBeGreaterThan(0);
            expect(levels.filter(level => level > 0).length).toBeGreaterThan(levels.length / 3);
        });
    });
});

describe('demo data files', () => {
    const city: DemoCity = loadDemoCity();
    const catalog: DemoCatalog = loadDemoCatalog();
    const stores = city.sellers.flatMap(seller =>
        seller.stores.map(store => ({ seller: seller.code, store })),
    );
    const postalCodeRows = readFileSync(path.join(demoDataDir, 'postal-codes.tsv'), 'utf8')
        .split('\n')
        .filter(line => line.trim() !== '')
        .map(line => line.split('\t'));
    const postalCodes = new Map(
        postalCodeRows.map(row => [row[1], { latitude: Number(row[9]), longitude: Number(row[10]) }]),
    );
    // Chicago's city limits, with a little margin.
    const inChicago = ({ latitude, longitude }: { latitude: number; longitude: number }) =>
        latitude > 41.64 && latitude < 42.03 && longitude > -87.95 && longitude < -87.52;

    it('distances in this spec match reference distances', () => {
        // One degree of a meridian, and of the parallel at 60° (half of it), on the mean Earth radius.
        expect(distanceKm({ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 })).toBeCloseTo(
            111.195,
            2,
        );
        expect(distanceKm({ latitude: 60, longitude: 0 }, { latitude: 60, longitude: 1 })).toBeCloseTo(
            55.597,
            2,
        );
    });

    describe('catalog.json', () => {
        const products = Object.values(catalog).flat();

        it('has 50 to 70 products', () => {
            expect(products.length).toBeGreaterThanOrEqual(50);
            expect(products.length).toBeLessThanOrEqual(70);
        });

        it('belongs to exactly the three sellers of the city, each with products', () => {
            expect(Object.keys(catalog).sort()).toEqual(city.sellers.map(seller => seller.code).sort());
            for (const seller of city.sellers) {
                expect(catalog[seller.code].length).toBeGreaterThan(0);
            }
        });

        it('has unique SKUs', () => {
            const skus = products.flatMap(product => product.variants.map(variant => variant.sku));
            expect(new Set(skus).size).toBe(skus.length);
        });

        it('has a unique, non-empty slug per product', () => {
            const slugs = products.map(product => slugify(product.name));
            expect(slugs.every(slug => slug.length > 0)).toBe(true);
            expect(new Set(slugs).size).toBe(slugs.length);
        });

        it('imports each seller’s products through Vendure’s parser without errors', async () => {
            for (const seller of city.sellers) {
                const { results, errors } = await importParser.parseProducts(
                    productsCsv(catalog[seller.code]),
                );
                expect(errors).toEqual([]);
                expect(results).toHaveLength(catalog[seller.code].length);
            }
        });
    });

    describe('city.json', () => {
        it('has 3 sellers, 8 to 12 stores and 20 drivers', () => {
            expect(city.sellers).toHaveLength(3);
            expect(stores.length).toBeGreaterThanOrEqual(8);
            expect(stores.length).toBeLessThanOrEqual(12);
            expect(city.drivers).toHaveLength(20);
        });

        it('places every store and driver in Chicago', () => {
            expect(stores.map(({ store }) => store).filter(store => !inChicago(store))).toEqual([]);
            expect(city.drivers.filter(driver => !inChicago(driver))).toEqual([]);
        });

        it('has stores of different sellers within 5 km of each other', () => {
            const close = stores.flatMap((a, i) =>
                stores
                    .slice(i + 1)
                    .filter(b => b.seller !== a.seller && distanceKm(a.store, b.store) <= 5)
                    .map(b => [a.store.name, b.store.name]),
            );
            expect(close.length).toBeGreaterThan(0);
        });
    });

    describe('postal-codes.tsv', () => {
        it('has 12 tab-separated columns per row', () => {
            expect(postalCodeRows.length).toBeGreaterThan(0);
            expect(postalCodeRows.filter(row => row.length !== 12)).toEqual([]);
        });

        it('has valid coordinates on every row', () => {
            expect(
                [...postalCodes.values()].filter(
                    point => !Number.isFinite(point.latitude) || !Number.isFinite(point.longitude),
                ),
            ).toEqual([]);
        });

        it('contains the postal code of every store', () => {
            expect(
                stores.map(({ store }) => store.postalCode).filter(code => !postalCodes.has(code)),
            ).toEqual([]);
        });

        it('puts every far-away postal code more than 5 km from every store', () => {
            expect(city.farAwayPostalCodes.length).toBeGreaterThan(0);
            for (const code of city.farAwayPostalCodes) {
                const point = postalCodes.get(code);
                expect(point).toBeDefined();
                if (!point) continue;
                const nearest = Math.min(...stores.map(({ store }) => distanceKm(point, store)));
                expect({ code, beyond5km: nearest > 5 }).toEqual({ code, beyond5km: true });
            }
        });

        it('puts every near postal code within 5 km of a store of each seller', () => {
            expect(city.nearPostalCodes.length).toBeGreaterThan(0);
            for (const code of city.nearPostalCodes) {
                const point = postalCodes.get(code);
                expect(point).toBeDefined();
                if (!point) continue;
                for (const seller of city.sellers) {
                    const nearest = Math.min(...seller.stores.map(store => distanceKm(point, store)));
                    expect({ code, seller: seller.code, within5km: nearest <= 5 }).toEqual({
                        code,
                        seller: seller.code,
                        within5km: true,
                    });
                }
            }
        });
    });
});
