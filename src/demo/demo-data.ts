import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The demo city: sellers with their stores, drivers, and postal codes known to be near or far. */
export interface DemoCity {
    city: string;
    countryCode: string;
    currencyCode: string;
    /** IANA time zone of the stores' opening hours. */
    timeZone: string;
    center: { latitude: number; longitude: number };
    sellers: Array<{ name: string; code: string; stores: DemoStore[] }>;
    drivers: Array<{ name: string; phone: string; latitude: number; longitude: number }>;
    farAwayPostalCodes: string[];
    nearPostalCodes: string[];
}

export interface DemoStore {
    name: string;
    address: string;
    postalCode: string;
    city: string;
    latitude: number;
    longitude: number;
}

export interface DemoProduct {
    name: string;
    description: string;
    category: string;
    taxCategory: string;
    optionGroup?: string;
    variants: Array<{ sku: string; price: number; option?: string }>;
}

/** Products per seller code. Prices in cents. */
export type DemoCatalog = Record<string, DemoProduct[]>;

/** The folder of the demo data files, from the sources or from the build in dist/. */
export const demoDataDir = path.resolve(
    __dirname,
    __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../src/demo/data' : 'data',
);

export function loadDemoCity(): DemoCity {
    return JSON.parse(readFileSync(path.join(demoDataDir, 'city.json'), 'utf8')) as DemoCity;
}

/**
 * The demo's unverified seller: a store and products like the others, but not verified by the
 * marketplace, so nothing of it shows in the shop until staff verify it.
 */
export interface DemoPendingSeller {
    name: string;
    code: string;
    stores: DemoStore[];
    products: DemoProduct[];
}

export function loadDemoPendingSeller(): DemoPendingSeller {
    return JSON.parse(
        readFileSync(path.join(demoDataDir, 'pending-seller.json'), 'utf8'),
    ) as DemoPendingSeller;
}

export function loadDemoCatalog(): DemoCatalog {
    return JSON.parse(readFileSync(path.join(demoDataDir, 'catalog.json'), 'utf8')) as DemoCatalog;
}

const CSV_HEADER = [
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
];

/**
 * Vendure's product import CSV for one seller's products. Stock is left at 0 here: it is set per
 * store afterwards, since the import only knows the default stock location.
 */
export function productsCsv(products: DemoProduct[]): string {
    const rows: string[][] = [CSV_HEADER];
    for (const product of products) {
        product.variants.forEach((variant, index) => {
            const first = index === 0;
            rows.push([
                first ? product.name : '',
                first ? slugify(product.name) : '',
                first ? product.description : '',
                '',
                first ? `category:${product.category}` : '',
                first && product.optionGroup ? product.optionGroup : '',
                variant.option ?? '',
                variant.sku,
                (variant.price / 100).toFixed(2),
                product.taxCategory,
                '0',
                'true',
                '',
                '',
            ]);
        });
    }
    return rows.map(row => row.map(csvField).join(',')).join('\n') + '\n';
}

export function slugify(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
}

function csvField(value: string): string {
    return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Stock of one variant in each of its seller's stores: uneven on purpose (some stores have none),
 * always at least one stocked store, and the same on every run (seeded by the SKU).
 */
export function stockPerStore(sku: string, storeCount: number): number[] {
    if (storeCount === 0) return [];
    const random = mulberry32(hash(sku));
    const levels: number[] = Array.from({ length: storeCount }, () =>
        random() < 0.6 ? 1 + Math.floor(random() * 40) : 0,
    );
    if (!levels.some(level => level > 0))
        levels[Math.floor(random() * storeCount)] = 5 + Math.floor(random() * 20);
    return levels;
}

function hash(text: string): number {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 16777619);
    }
    return h >>> 0;
}

function mulberry32(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
