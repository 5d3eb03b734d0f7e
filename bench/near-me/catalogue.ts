/**
 * The bench catalogue, written with bulk SQL into a database the server has migrated and
 * bootstrapped (default channel, global settings, default stock location): products with
 * variants, prices and translations in the default channel, geo-tagged stores over a square city,
 * stock levels (each variant at about `storesPerVariant` random stores, some of them sold out),
 * and the rows Vendure's default search reads (`search_index_item`), filled as its indexer fills
 * them: one row per variant, language and channel, `inStock` from the saleable stock of the
 * channel's stores. A bench fixture, not demo data; seeded, so runs compare like with like.
 */
import { Client } from 'pg';

import { LatLng } from '../../plugins/shared/geo';

export interface CatalogueSize {
    variants: number;
    stores: number;
    storesPerVariant: number;
    variantsPerProduct: number;
    /** Side of the square city the stores are spread over. */
    citySideKm: number;
    /** Share of stock levels with nothing saleable (0 on hand). */
    soldOutShare: number;
}

export const CITY_CENTRE: LatLng = { latitude: 41.8858, longitude: -87.6181 };
export const KM_PER_DEGREE_LATITUDE = 111.32;

/** Words of the product names: the term search looks for one noun. */
const ADJECTIVES = [
    'Fresh',
    'Organic',
    'Classic',
    'Smoked',
    'Roasted',
    'Spicy',
    'Sweet',
    'Wholegrain',
    'Crunchy',
    'Creamy',
    'Golden',
    'Wild',
    'Rustic',
    'Mild',
    'Zesty',
    'Salted',
    'Toasted',
    'Herbal',
    'Dark',
    'Light',
];
const NOUNS = [
    'Coffee',
    'Bread',
    'Cheese',
    'Yogurt',
    'Honey',
    'Granola',
    'Salsa',
    'Pasta',
    'Rice',
    'Tea',
    'Butter',
    'Cookies',
    'Crackers',
    'Chocolate',
    'Almonds',
    'Olives',
    'Pickles',
    'Hummus',
    'Juice',
    'Soup',
    'Jam',
    'Muesli',
    'Noodles',
    'Tofu',
    'Sausage',
    'Salami',
    'Milk',
    'Kefir',
    'Cereal',
    'Popcorn',
    'Pretzels',
    'Mustard',
    'Ketchup',
    'Vinegar',
    'Oil',
    'Flour',
    'Sugar',
    'Beans',
    'Lentils',
    'Chips',
];
const SIZES = ['250 g', '500 g', '1 kg', 'Family pack', 'Single', 'Duo', 'Trio', 'Mini'];
/** One noun in 40: the term search matches 1/40 of the catalogue (500 of 20k variants). */
export const SEARCH_TERM = 'coffee';

function sqlArray(words: readonly string[]): string {
    return `ARRAY[${words.map(word => `'${word.replace(/'/g, "''")}'`).join(', ')}]`;
}

export interface GeneratedCatalogue {
    products: number;
    variants: number;
    stores: Array<{ id: string; latitude: number; longitude: number }>;
    stockLevels: number;
    indexRows: number;
    channelId: string;
    ms: number;
}

export async function generateCatalogue(
    url: string,
    size: CatalogueSize,
    seed: number,
): Promise<GeneratedCatalogue> {
    const started = Date.now();
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query('BEGIN');
        const existing = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM product');
        if (Number(existing.rows[0].n) > 0) throw new Error('The bench database already has products');
        const channel = await client.query<{ id: number; currency: string }>(
            `SELECT id, "defaultCurrencyCode" AS currency FROM channel WHERE code = '__default_channel__'`,
        );
        const channelId = channel.rows[0].id;
        const currency = channel.rows[0].currency;
        // random() below follows this seed, so the same seed builds the same catalogue.
        await client.query('SELECT setseed($1)', [((seed % 1000) + 1) / 1001]);
        const tax = await client.query<{ id: number }>(
            `INSERT INTO tax_category (name, "isDefault") VALUES ('Bench standard', true) RETURNING id`,
        );
        const taxCategoryId = tax.rows[0].id;
        const products = Math.ceil(size.variants / size.variantsPerProduct);
        const adjectives = sqlArray(ADJECTIVES);
        const nouns = sqlArray(NOUNS);
        const sizes = sqlArray(SIZES);
        // Product i is "<adjective> <noun> <i>": every pair of words recurs, the number keeps slugs unique.
        await client.query(
            `CREATE TEMP TABLE bench_product ON COMMIT DROP AS
             SELECT i, (${adjectives})[1 + i % ${ADJECTIVES.length}] || ' ' ||
                       (${nouns})[1 + (i / ${ADJECTIVES.length}) % ${NOUNS.length}] || ' ' || i AS name
             FROM generate_series(1, $1::int) AS i`,
            [products],
        );
        await client.query(`
            CREATE TEMP TABLE bench_product_id ON COMMIT DROP AS
            WITH inserted AS (
                INSERT INTO product (enabled) SELECT true FROM bench_product ORDER BY i RETURNING id
            )
            SELECT id, row_number() OVER (ORDER BY id) AS i FROM inserted`);
        await client.query(`
            INSERT INTO product_translation ("languageCode", name, slug, description, "baseId")
            SELECT 'en', p.name, lower(replace(p.name, ' ', '-')),
                   'A bench product: ' || p.name || ', from the near-me benchmark catalogue.', pid.id
            FROM bench_product p JOIN bench_product_id pid ON pid.i = p.i`);
        await client.query(
            `INSERT INTO product_channels_channel ("productId", "channelId") SELECT id, $1 FROM bench_product_id`,
            [channelId],
        );
        await client.query(
            `CREATE TEMP TABLE bench_variant ON COMMIT DROP AS
             SELECT v, pid.id AS "productId", p.name AS "productName",
                    p.name || ' ' || (${sizes})[1 + v % ${SIZES.length}] AS name,
                    'NM-' || lpad(v::text, 6, '0') AS sku,
                    100 + floor(random() * 2000)::int AS price
             FROM generate_series(1, $1::int) AS v
             JOIN bench_product p ON p.i = 1 + (v - 1) / $2::int
             JOIN bench_product_id pid ON pid.i = p.i`,
            [size.variants, size.variantsPerProduct],
        );
        await client.query(
            `ALTER TABLE bench_variant ADD COLUMN id int;
             WITH inserted AS (
                 INSERT INTO product_variant (sku, "productId", "taxCategoryId")
                 SELECT sku, "productId", $1 FROM bench_variant ORDER BY v RETURNING id, sku
             )
             UPDATE bench_variant bv SET id = inserted.id FROM inserted WHERE inserted.sku = bv.sku`.replace(
                '$1',
                String(taxCategoryId),
            ),
        );
        await client.query(`
            INSERT INTO product_variant_translation ("languageCode", name, "baseId")
            SELECT 'en', name, id FROM bench_variant`);
        await client.query(
            `INSERT INTO product_variant_price ("currencyCode", "channelId", price, "variantId")
             SELECT $1, $2, price, id FROM bench_variant`,
            [currency, channelId],
        );
        await client.query(
            `INSERT INTO product_variant_channels_channel ("productVariantId", "channelId")
             SELECT id, $1 FROM bench_variant`,
            [channelId],
        );
        // Stores uniformly over the square city.
        const latitudeSpan = size.citySideKm / KM_PER_DEGREE_LATITUDE;
        const longitudeSpan =
            size.citySideKm / (KM_PER_DEGREE_LATITUDE * Math.cos((CITY_CENTRE.latitude * Math.PI) / 180));
        const stores = await client.query<{ id: number; latitude: number; longitude: number }>(
            `INSERT INTO stock_location (name, description, "customFieldsLatitude", "customFieldsLongitude", "customFieldsCity")
             SELECT 'Bench store ' || s, 'near-me bench', $2 + (random() - 0.5) * $3, $4 + (random() - 0.5) * $5, 'Bench city'
             FROM generate_series(1, $1::int) AS s
             RETURNING id, "customFieldsLatitude" AS latitude, "customFieldsLongitude" AS longitude`,
            [size.stores, CITY_CENTRE.latitude, latitudeSpan, CITY_CENTRE.longitude, longitudeSpan],
        );
        await client.query(
            `INSERT INTO stock_location_channels_channel ("stockLocationId", "channelId")
             SELECT id, $1 FROM stock_location WHERE description = 'near-me bench'`,
            [channelId],
        );
        // storesPerVariant random draws per variant; a store drawn twice counts once (about that many).
        const stockLevels = await client.query(
            `WITH stores AS (SELECT array_agg(id ORDER BY id) AS ids FROM stock_location WHERE description = 'near-me bench'),
             draws AS (
                 SELECT DISTINCT bv.id AS "productVariantId",
                        stores.ids[1 + floor(random() * array_length(stores.ids, 1))::int] AS "stockLocationId"
                 FROM bench_variant bv CROSS JOIN generate_series(1, $1::int) AS k CROSS JOIN stores
             )
             INSERT INTO stock_level ("productVariantId", "stockLocationId", "stockOnHand", "stockAllocated")
             SELECT "productVariantId", "stockLocationId",
                    CASE WHEN random() < $2 THEN 0 ELSE 1 + floor(random() * 40)::int END, 0
             FROM draws`,
            [size.storesPerVariant, size.soldOutShare],
        );
        // As Vendure's indexer: saleable = on hand - allocated - threshold over the channel's stores.
        const settings = await client.query<{ threshold: number }>(
            `SELECT "outOfStockThreshold" AS threshold FROM global_settings LIMIT 1`,
        );
        const threshold = settings.rows[0]?.threshold ?? 0;
        const indexRows = await client.query(
            `WITH saleable AS (
                 SELECT sl."productVariantId", SUM(sl."stockOnHand" - sl."stockAllocated") - $2 > 0 AS "inStock"
                 FROM stock_level sl
                 JOIN stock_location_channels_channel slc ON slc."stockLocationId" = sl."stockLocationId" AND slc."channelId" = $1
                 GROUP BY sl."productVariantId"
             ),
             rows AS (
                 SELECT bv.*, COALESCE(s."inStock", false) AS "inStock" FROM bench_variant bv
                 LEFT JOIN saleable s ON s."productVariantId" = bv.id
             )
             INSERT INTO search_index_item (
                 "languageCode", enabled, "productName", "productVariantName", description, slug, sku,
                 "facetIds", "facetValueIds", "collectionIds", "collectionSlugs", "channelIds",
                 "productPreview", "productVariantPreview", "inStock", "productInStock",
                 "productVariantId", "channelId", "productId", price, "priceWithTax")
             SELECT 'en', true, r."productName", r.name, pt.description, pt.slug, r.sku,
                    '', '', '', '', $1::text, '', '', r."inStock",
                    bool_or(r."inStock") OVER (PARTITION BY r."productId"),
                    r.id, $1, r."productId", r.price, r.price
             FROM rows r JOIN product_translation pt ON pt."baseId" = r."productId"`,
            [channelId, threshold],
        );
        await client.query('COMMIT');
        await client.query('ANALYZE');
        return {
            products,
            variants: size.variants,
            stores: stores.rows.map(row => ({
                id: String(row.id),
                latitude: Number(row.latitude),
                longitude: Number(row.longitude),
            })),
            stockLevels: stockLevels.rowCount ?? 0,
            indexRows: indexRows.rowCount ?? 0,
            channelId: String(channelId),
            ms: Date.now() - started,
        };
    } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
    } finally {
        await client.end();
    }
}
