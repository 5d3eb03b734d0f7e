import { LogicalOperator, SearchInput, SortOrder } from '@vendure/common/lib/generated-types';
import type { ID } from '@vendure/common/lib/shared-types';

import { notOfSellersSql, servingStoresSql, SqlBuilder } from './delivery-search-conditions';
import {
    DEFAULT_SEARCH_TABLES,
    DeliveryScope,
    EntityIdType,
    IndexSearchInput,
    SearchScope,
    SearchTables,
    SqlQuery,
} from './delivery-search-scope';

/**
 * SQL of the {@link DeliverySearchStrategy}: Vendure's default PostgreSQL search over
 * `search_index_item` (term, facet and collection filters, stock, channel, language, sort,
 * paging) with the 5 km delivery rule in the same statement: the deliverable variants are
 * computed once per statement (a WITH query driven by the nearby stores' stock levels) and joined
 * to the index rows. Pure: it builds statements with positional parameters and runs nothing, so
 * it is unit-tested on its own.
 *
 * Every value from the input is a parameter; the only text spliced into the SQL is column and
 * table names from the entity metadata and the fixed fragments below.
 */

export { servingStoreRows } from './delivery-search-conditions';
export * from './delivery-search-scope';

/** Raised for a facet value filter with both `and` and `or`; the strategy turns it into a UserInputError. */
export class InvalidFacetValueFilterError extends Error {
    constructor() {
        super('A facetValueFilter takes either "and" or "or", not both');
        this.name = 'InvalidFacetValueFilterError';
    }
}

/** Terms this short are ignored, as in Vendure's default search (a prefix of 1-2 letters matches nearly everything). */
export const MIN_TERM_LENGTH = 3;
export const DEFAULT_TAKE = 25;

/** Index columns that hold comma-separated id lists: concatenated when grouped by product. */
const LIST_COLUMNS = new Set(['facetIds', 'facetValueIds', 'collectionIds', 'collectionSlugs', 'channelIds']);
const BOOLEAN_COLUMNS = new Set(['enabled', 'inStock', 'productInStock']);

/**
 * A term as a PostgreSQL tsquery of prefixes that must all match (`'fresh':* & 'milk':*`), the way
 * Vendure's default search reads it. The characters that mean something in tsquery syntax are
 * dropped, so each word is a plain quoted lexeme; the result is still only ever a parameter.
 */
export function prefixTsQuery(term: string): string {
    return term
        .trim()
        .replace(/['":\\!|&()<>*]/g, ' ')
        .split(/\s+/)
        .filter(word => word.length > 0)
        .map(word => `'${word}':*`)
        .join(' & ');
}

/** `Map` of id => number of rows whose comma-separated list holds it (each id once per row). */
export function countIds(lists: ReadonlyArray<string | null>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const list of lists) {
        const ids = new Set((list ?? '').split(',').filter(id => id !== ''));
        for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
}

/** The page of results; rows carry Vendure's `si_<column>` aliases and `nearestStoreDistanceKm`. */
export function searchResultsQuery(
    input: IndexSearchInput,
    scope: SearchScope,
    columns: readonly string[],
): SqlQuery {
    const q = new QueryParts(scope);
    const grouped = !!input.groupByProduct;
    const where = q.conditions(input);
    const select = columns.map(column => selectColumn(column, grouped));
    if (grouped) {
        select.push(
            'MIN(si."price") AS "minPrice"',
            'MAX(si."price") AS "maxPrice"',
            'MIN(si."priceWithTax") AS "minPriceWithTax"',
            'MAX(si."priceWithTax") AS "maxPriceWithTax"',
        );
    }
    const ranked = hasTerm(input);
    if (ranked) {
        const score = q.score(input);
        // A product ranks by its best-matching variant.
        select.push(`${grouped ? `MAX(${score})` : score} AS "score"`);
    }
    if (scope.delivery) {
        const nearest = q.nearestDistance(scope.delivery);
        select.push(`${grouped ? `MIN(${nearest})` : nearest} AS "nearestStoreDistanceKm"`);
    }
    const order: string[] = [];
    if (input.sort?.name) order.push(`"si_productName" ${direction(input.sort.name)}`);
    if (input.sort?.price) order.push(`"si_price" ${direction(input.sort.price)}`);
    if (!input.sort && ranked) order.push('"score" DESC');
    // Ties (same name, price or score) need a fixed order, or pages would overlap.
    order.push('"si_productVariantId" ASC');
    // As in Vendure, a take of 0 (or none) means the default page size.
    const take = q.param(positiveInt(input.take || undefined, DEFAULT_TAKE));
    const skip = q.param(positiveInt(input.skip, 0));
    const sql = [
        `SELECT ${select.join(', ')}`,
        ...q.from(),
        `WHERE ${where}`,
        grouped ? 'GROUP BY si."productId"' : '',
        `ORDER BY ${order.join(', ')}`,
        `LIMIT ${take} OFFSET ${skip}`,
    ];
    return q.query(sql);
}

/** `totalItems`: variants, or products with `groupByProduct`, that pass every filter. */
export function totalCountQuery(input: IndexSearchInput, scope: SearchScope): SqlQuery {
    const q = new QueryParts(scope);
    const where = q.conditions(input);
    const counted = input.groupByProduct ? 'si."productId"' : 'si."productVariantId"';
    return q.query([`SELECT COUNT(DISTINCT ${counted}) AS "total"`, ...q.from(), `WHERE ${where}`]);
}

/** One row per result (variant or product) with its facet value ids in `ids`. */
export function facetValueIdsQuery(input: IndexSearchInput, scope: SearchScope): SqlQuery {
    return idListQuery(input, scope, 'facetValueIds');
}

/** One row per result (variant or product) with its collection ids in `ids`. */
export function collectionIdsQuery(input: IndexSearchInput, scope: SearchScope): SqlQuery {
    return idListQuery(input, scope, 'collectionIds');
}

function idListQuery(
    input: IndexSearchInput,
    scope: SearchScope,
    column: 'facetValueIds' | 'collectionIds',
): SqlQuery {
    const q = new QueryParts(scope);
    const where = q.conditions(input);
    const grouped = !!input.groupByProduct;
    return q.query([
        `SELECT ${grouped ? `string_agg(si."${column}", ',')` : `si."${column}"`} AS "ids"`,
        ...q.from(),
        `WHERE ${where}`,
        grouped ? 'GROUP BY si."productId"' : '',
    ]);
}

function hasTerm(input: SearchInput): boolean {
    return !!input.term && input.term.length >= MIN_TERM_LENGTH;
}

function selectColumn(column: string, grouped: boolean): string {
    if (!/^[A-Za-z]+$/.test(column)) throw new Error(`Not a search index column: ${column}`);
    const alias = `"si_${column}"`;
    if (!grouped || column === 'productId') return `si."${column}" AS ${alias}`;
    if (LIST_COLUMNS.has(column)) return `string_agg(si."${column}", ',') AS ${alias}`;
    if (BOOLEAN_COLUMNS.has(column)) return `bool_or(si."${column}") AS ${alias}`;
    return `MIN(si."${column}") AS ${alias}`;
}

/** Only the two SQL keywords, whatever arrives. */
function direction(order: SortOrder): 'ASC' | 'DESC' {
    return order === SortOrder.DESC ? 'DESC' : 'ASC';
}

function positiveInt(value: number | null | undefined, fallback: number): number {
    return value != null && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** Builds the parts of one statement and collects its positional parameters. */
class QueryParts implements SqlBuilder {
    private readonly parameters: unknown[] = [];
    private readonly tables: SearchTables;
    // Fragments used in both SELECT and WHERE are built once and share their parameters.
    private termParameter?: string;
    private servingStoresSql?: string | null;

    constructor(private readonly scope: SearchScope) {
        this.tables = scope.tables ?? DEFAULT_SEARCH_TABLES;
    }

    param(value: unknown): string {
        this.parameters.push(value);
        return `$${this.parameters.length}`;
    }

    table(name: keyof SearchTables): string {
        return quoteIdentifier(this.tables[name]);
    }

    query(lines: string[]): SqlQuery {
        const withClause = this.servingStoresSql ? [`WITH ${this.servingStoresSql}`] : [];
        return {
            sql: [...withClause, ...lines].filter(line => line !== '').join('\n'),
            parameters: this.parameters,
        };
    }

    /** FROM the index rows, joined to the deliverable variants when there is a delivery rule. */
    from(): string[] {
        const from = [`FROM ${this.table('searchIndexItem')} si`];
        const delivery = this.scope.delivery;
        if (delivery && this.servingStores(delivery)) {
            const idType: EntityIdType = delivery.idType === 'uuid' ? 'uuid' : 'integer';
            const variantId =
                idType === 'uuid' ? 'CAST(si."productVariantId" AS uuid)' : 'si."productVariantId"';
            from.push(`INNER JOIN ds_deliverable ds ON ds."productVariantId" = ${variantId}`);
        }
        return from;
    }

    /** The WHERE clause: every filter of the input, the channel and language, and the delivery rule. */
    conditions(input: IndexSearchInput): string {
        const { scope } = this;
        const where: string[] = [`si."channelId" = ${this.param(String(scope.channelId))}`];
        where.push(this.language());
        if (scope.currencyCode) where.push(`si."currencyCode" = ${this.param(scope.currencyCode)}`);
        if (scope.enabledOnly) where.push('si."enabled" = true');
        if (hasTerm(input)) {
            const query = this.term(input);
            const matches = ['sku', 'productName', 'productVariantName', 'description'].map(
                column => `to_tsvector(si."${column}") @@ to_tsquery(${query})`,
            );
            where.push(`(${matches.join(' OR ')})`);
        }
        if (input.inStock != null) {
            const column = input.groupByProduct ? 'productInStock' : 'inStock';
            where.push(`si."${column}" = ${this.param(input.inStock)}`);
        }
        if (input.facetValueIds?.length) {
            const each = input.facetValueIds.map(id => this.inList('facetValueIds', id));
            where.push(`(${each.join(input.facetValueOperator === LogicalOperator.AND ? ' AND ' : ' OR ')})`);
        }
        for (const filter of input.facetValueFilters ?? []) {
            if (filter.and && filter.or?.length) throw new InvalidFacetValueFilterError();
            if (filter.and) where.push(this.inList('facetValueIds', filter.and));
            if (filter.or?.length) {
                where.push(`(${filter.or.map(id => this.inList('facetValueIds', id)).join(' OR ')})`);
            }
        }
        if (input.collectionId) where.push(this.inList('collectionIds', input.collectionId));
        if (input.collectionSlug) where.push(this.inList('collectionSlugs', input.collectionSlug));
        if (input.collectionIds?.length) {
            const each = [...new Set(input.collectionIds)].map(id => this.inList('collectionIds', id));
            where.push(`(${each.join(' OR ')})`);
        }
        if (input.collectionSlugs?.length) {
            const each = [...new Set(input.collectionSlugs)].map(slug =>
                this.inList('collectionSlugs', slug),
            );
            where.push(`(${each.join(' OR ')})`);
        }
        if (scope.delivery) where.push(this.deliverable(scope.delivery));
        if (scope.hiddenSellers?.channelIds.length) where.push(notOfSellersSql(scope.hiddenSellers, this));
        return where.join('\n  AND ');
    }

    /** Weighted rank, as Vendure's default search weighs the columns (SKU highest). */
    score(input: IndexSearchInput): string {
        const query = this.term(input);
        const weighted = (
            [
                ['sku', 10],
                ['productName', 2],
                ['productVariantName', 1.5],
                ['description', 1],
            ] as const
        ).map(
            ([column, weight]) => `ts_rank_cd(to_tsvector(si."${column}"), to_tsquery(${query})) * ${weight}`,
        );
        return `(${weighted.join(' + ')})`;
    }

    private term(input: IndexSearchInput): string {
        this.termParameter ??= this.param(prefixTsQuery(input.term ?? ''));
        return this.termParameter;
    }

    /** The distance to the nearest store that can deliver the row's variant, NULL when none. */
    nearestDistance(delivery: DeliveryScope): string {
        return this.servingStores(delivery) ? 'ds."distanceKm"' : 'CAST(NULL AS double precision)';
    }

    /** The join in {@link from} keeps the deliverable rows; with no store near, none is. */
    private deliverable(delivery: DeliveryScope): string {
        return this.servingStores(delivery) ? 'true' : 'false';
    }

    /** The WITH queries of the deliverable variants, built once per statement; undefined when no store is near. */
    private servingStores(delivery: DeliveryScope): string | undefined {
        if (this.servingStoresSql === undefined) this.servingStoresSql = servingStoresSql(delivery, this);
        return this.servingStoresSql ?? undefined;
    }

    private inList(
        column: 'facetValueIds' | 'collectionIds' | 'collectionSlugs',
        value: ID | string,
    ): string {
        return `CAST(${this.param(String(value))} AS varchar) = ANY (string_to_array(si."${column}", ','))`;
    }

    /**
     * The row in the request's language, else in the channel's default language when the variant
     * has no row in the requested one.
     */
    private language(): string {
        const { languageCode, defaultLanguageCode } = this.scope;
        const requested = this.param(languageCode);
        if (languageCode === defaultLanguageCode) return `si."languageCode" = ${requested}`;
        const fallback = this.param(defaultLanguageCode);
        return [
            `(si."languageCode" = ${requested} OR (si."languageCode" = ${fallback} AND NOT EXISTS (`,
            `    SELECT 1 FROM ${this.table('searchIndexItem')} si_lang`,
            `    WHERE si_lang."languageCode" = ${requested} AND si_lang."channelId" = si."channelId"`,
            `      AND si_lang."productVariantId" = si."productVariantId")))`,
        ].join('\n');
    }
}
