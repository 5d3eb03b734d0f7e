/**
 * Near-me search: how much a delivery location costs the shop-API `search` on a large catalogue.
 * The same query with and without `deliveryLocation` (the 5 km rule inside the SQL of
 * seller-store-info's DeliverySearchStrategy, against Vendure's unfiltered default search as the
 * baseline), measured in the same run on the same server. Target: p95 with a location <= 1.3x
 * the p95 without one, for a term search and for a listing.
 *
 *   npm run bench -- near-me [options]
 *
 * Starts an embedded PostgreSQL of its own and the project's server on it (the bench build of
 * src/index.js with DATABASE_URL: createVendureConfig, migrations, the default search with the
 * delivery strategy, worker in process), stops it once it has bootstrapped, writes the catalogue
 * with bulk SQL (bench/near-me/catalogue.ts: products, variants, prices, geo-tagged stores over a
 * square city, stock levels, the search index rows), starts the server again (its StoreLocator
 * reads the stores) and checks one located listing's totalItems against a count of its own. Then
 * `--rounds` rounds; in each, for `--locations` random delivery points inside the city, the four
 * cases (term/listing x without/with location) one request at a time over loopback, their order
 * rotating. Reports p50/p95 per case (medians over the rounds), the p95 ratio with/without per
 * round and its median, and EXPLAIN ANALYZE of the statements for one location. Writes its
 * section of docs/BENCHMARKS.md unless `--no-write`.
 *
 * Options (defaults in brackets):
 *   --variants N            variants in the catalogue [20000]
 *   --stores N              geo-tagged stores [500]
 *   --stores-per-variant N  random stores drawn per variant (a store drawn twice counts once) [20]
 *   --variants-per-product N [5]
 *   --city-km N             side of the square city the stores are spread over [30]
 *   --sold-out SHARE        share of stock levels with nothing on hand [0.2]
 *   --rounds N              [3]
 *   --locations N           delivery points per round, one request per case each [15]
 *   --seed N                catalogue and locations [1]
 *   --port N, --pg-port N   the server's and PostgreSQL's ports [free ports]
 *   --explain               print the EXPLAIN ANALYZE plans
 *   --no-write              print only
 * The default run takes about 3 minutes here with the fix (generation about 20 s, two server starts).
 */
import os from 'node:os';

import { Client } from 'pg';

import { distanceKm, LatLng } from '../plugins/shared/geo';
import { freePort } from '../src/runtime/embedded-postgres';
import { SeededRandom } from '../src/simulation/random';
import {
    CatalogueSize,
    CITY_CENTRE,
    generateCatalogue,
    GeneratedCatalogue,
    KM_PER_DEGREE_LATITUDE,
} from './near-me/catalogue';
import { MAX_DISTANCE_KM, profileCase, StatementProfile } from './near-me/explain';
import { median, quantile, SEARCH_CASES, SearchCase, SearchKind, timedSearch } from './near-me/search-cases';
import { startBenchDatabase, startBenchServer } from './near-me/server';
import { writeBenchmarkSection } from './results';

const TARGET_RATIO = 1.3;

interface Options extends CatalogueSize {
    rounds: number;
    locations: number;
    seed: number;
    port: number;
    pgPort: number;
    explain: boolean;
    write: boolean;
    args: string[];
}

function readOptions(argv: string[]): Options {
    const value = (name: string, fallback: number): number => {
        const at = argv.indexOf(`--${name}`);
        if (at < 0) return fallback;
        const parsed = Number(argv[at + 1]);
        if (!Number.isFinite(parsed) || parsed < 0)
            throw new Error(`--${name} takes a number, got ${argv[at + 1]}`);
        return parsed;
    };
    return {
        variants: value('variants', 20_000),
        stores: value('stores', 500),
        storesPerVariant: value('stores-per-variant', 20),
        variantsPerProduct: value('variants-per-product', 5),
        citySideKm: value('city-km', 30),
        soldOutShare: value('sold-out', 0.2),
        rounds: value('rounds', 3),
        locations: value('locations', 15),
        seed: value('seed', 1),
        port: value('port', 0),
        pgPort: value('pg-port', 0),
        explain: argv.includes('--explain'),
        write: !argv.includes('--no-write'),
        args: argv,
    };
}

/** Deterministic pseudo-random numbers in [0, 1), the simulator's generator, so runs compare like with like. */
function random(seed: number): () => number {
    const source = new SeededRandom(seed);
    return () => source.next();
}

/** Delivery points uniformly over the inner part of the city (a margin of the delivery radius). */
function deliveryPoints(count: number, citySideKm: number, seed: number): LatLng[] {
    const next = random(seed * 7919 + 17);
    const side = Math.max(1, citySideKm - 2 * MAX_DISTANCE_KM);
    const kmPerDegreeLongitude = KM_PER_DEGREE_LATITUDE * Math.cos((CITY_CENTRE.latitude * Math.PI) / 180);
    return Array.from({ length: count }, () => ({
        latitude: CITY_CENTRE.latitude + ((next() - 0.5) * side) / KM_PER_DEGREE_LATITUDE,
        longitude: CITY_CENTRE.longitude + ((next() - 0.5) * side) / kmPerDegreeLongitude,
    }));
}

const log = (message: string) => process.stdout.write(`${message}\n`);

/** Products with saleable stock at a store within 5 km, counted here from the stock levels. */
async function deliverableProducts(
    client: Client,
    catalogue: GeneratedCatalogue,
    point: LatLng,
): Promise<number> {
    const nearby = catalogue.stores
        .filter(store => distanceKm(point, store) <= MAX_DISTANCE_KM)
        .map(s => Number(s.id));
    const result = await client.query<{ n: string }>(
        `SELECT COUNT(DISTINCT pv."productId") AS n FROM stock_level sl
         JOIN product_variant pv ON pv.id = sl."productVariantId"
         WHERE sl."stockLocationId" = ANY($1::int[]) AND sl."stockOnHand" - sl."stockAllocated" > 0`,
        [nearby],
    );
    return Number(result.rows[0].n);
}

interface CaseResult {
    searchCase: SearchCase;
    /** Per round. */
    p50: number[];
    p95: number[];
    samples: number;
    totalItems: number[];
}

async function main() {
    const options = readOptions(process.argv.slice(2));
    const started = Date.now();
    const pgPort = options.pgPort || (await freePort());
    const port = options.port || (await freePort());
    const db = await startBenchDatabase(pgPort, () => undefined);
    log(`embedded PostgreSQL on port ${db.database.port}`);
    try {
        // First start: migrations and Vendure's bootstrap (default channel, settings, roles).
        const first = await startBenchServer(db, port, log);
        await first.stop();
        const catalogue = await generateCatalogue(db.url, options, options.seed);
        log(
            `catalogue: ${catalogue.products} products, ${catalogue.variants} variants, ${catalogue.stores.length} stores, ` +
                `${catalogue.stockLevels} stock levels, ${catalogue.indexRows} index rows in ${(catalogue.ms / 1000).toFixed(1)} s`,
        );
        const server = await startBenchServer(db, port, log);
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
            const points = deliveryPoints(options.locations, options.citySideKm, options.seed);
            const nearbyCounts = points.map(
                point => catalogue.stores.filter(store => distanceKm(point, store) <= MAX_DISTANCE_KM).length,
            );
            // The server must see what the catalogue holds: one located listing against our own count.
            const expected = await deliverableProducts(client, catalogue, points[0]);
            const checked = await timedSearch(port, 'listing', points[0]);
            if (checked.totalItems !== expected) {
                throw new Error(
                    `A located listing found ${checked.totalItems} products, the stock levels say ${expected}`,
                );
            }
            log(`check: a located listing finds ${expected} deliverable products, as the stock levels say`);
            for (const searchCase of SEARCH_CASES) {
                for (let i = 0; i < 3; i++)
                    await timedSearch(port, searchCase.kind, searchCase.withLocation ? points[i] : undefined);
            }
            const results: CaseResult[] = SEARCH_CASES.map(searchCase => ({
                searchCase,
                p50: [],
                p95: [],
                samples: 0,
                totalItems: [],
            }));
            for (let round = 0; round < options.rounds; round++) {
                const times = SEARCH_CASES.map(() => [] as number[]);
                for (const [p, point] of points.entries()) {
                    for (let k = 0; k < SEARCH_CASES.length; k++) {
                        const c = (k + p + round) % SEARCH_CASES.length;
                        const searchCase = SEARCH_CASES[c];
                        const answer = await timedSearch(
                            port,
                            searchCase.kind,
                            searchCase.withLocation ? point : undefined,
                        );
                        times[c].push(answer.ms);
                        if (round === 0) results[c].totalItems.push(answer.totalItems);
                    }
                }
                for (const [c, list] of times.entries()) {
                    const sorted = [...list].sort((a, b) => a - b);
                    results[c].p50.push(quantile(sorted, 0.5));
                    results[c].p95.push(quantile(sorted, 0.95));
                    results[c].samples += list.length;
                }
                log(
                    `round ${round + 1}/${options.rounds}: ` +
                        results
                            .map(r => `${r.searchCase.label} p95 ${r.p95[round].toFixed(0)} ms`)
                            .join(', '),
                );
            }
            const profiles = new Map<SearchCase, StatementProfile[]>();
            for (const searchCase of SEARCH_CASES) {
                profiles.set(
                    searchCase,
                    await profileCase(
                        client,
                        catalogue,
                        searchCase.kind,
                        searchCase.withLocation ? points[0] : undefined,
                    ),
                );
            }
            if (options.explain) {
                for (const [searchCase, list] of profiles) {
                    for (const profile of list)
                        log(`\n== ${searchCase.label}: ${profile.statement}\n${profile.plan}`);
                }
            }
            const section = report(
                options,
                catalogue,
                results,
                profiles,
                nearbyCounts,
                (Date.now() - started) / 1000,
            );
            log(section);
            if (options.write) await writeBenchmarkSection('near-me', section);
        } finally {
            await client.end();
            await server.stop();
        }
    } finally {
        await db.stop();
    }
}

function ms(value: number): string {
    return `${value.toFixed(0)} ms`;
}

/** Per kind: the p95 ratio with/without location in each round, and its median. */
function ratios(
    results: CaseResult[],
    kind: SearchKind,
): { perRound: number[]; median: number; p50Median: number } {
    const without = results.find(r => r.searchCase.kind === kind && !r.searchCase.withLocation);
    const withLocation = results.find(r => r.searchCase.kind === kind && r.searchCase.withLocation);
    if (!without || !withLocation) throw new Error(`missing cases for ${kind}`);
    const perRound = withLocation.p95.map((p95, round) => p95 / without.p95[round]);
    const p50PerRound = withLocation.p50.map((p50, round) => p50 / without.p50[round]);
    return { perRound, median: median(perRound), p50Median: median(p50PerRound) };
}

function report(
    options: Options,
    catalogue: GeneratedCatalogue,
    results: CaseResult[],
    profiles: Map<SearchCase, StatementProfile[]>,
    nearbyCounts: number[],
    seconds: number,
): string {
    const cases = results.map(r => {
        const kindRatio = ratios(results, r.searchCase.kind);
        return `| ${r.searchCase.label} | ${ms(median(r.p50))} | ${ms(median(r.p95))} | ${r.samples} | ${median(r.totalItems).toLocaleString('en-US')} | ${
            r.searchCase.withLocation
                ? `${kindRatio.median.toFixed(2)}x (p50 ${kindRatio.p50Median.toFixed(2)}x)`
                : 'baseline'
        } |`;
    });
    const kinds: SearchKind[] = ['term', 'listing'];
    const verdicts = kinds.map(kind => {
        const ratio = ratios(results, kind);
        const met = ratio.median <= TARGET_RATIO;
        return {
            kind,
            ratio,
            met,
            text: `${kind}: ${ratio.median.toFixed(2)}x (rounds: ${ratio.perRound.map(x => x.toFixed(2)).join(', ')}), ${
                met ? 'met' : `missed by ${(ratio.median - TARGET_RATIO).toFixed(2)}`
            }`,
        };
    });
    const profileRows = SEARCH_CASES.map(searchCase => {
        const list = profiles.get(searchCase) ?? [];
        const of = (statement: StatementProfile['statement']) => list.find(p => p.statement === statement);
        const resultsProfile = of('results');
        const countProfile = of('totalItems');
        return `| ${searchCase.label} | ${resultsProfile?.executionMs.toFixed(1)} ms | ${countProfile?.executionMs.toFixed(1)} ms |`;
    });
    const allMet = verdicts.every(v => v.met);
    const sortedNearby = [...nearbyCounts].sort((a, b) => a - b);
    const cpus = os.cpus();
    const extra = options.args.filter(arg => arg !== '--explain');
    return `## Near-me search (shop \`search\` with and without a delivery location)

A generated catalogue (bulk SQL, \`bench/near-me/catalogue.ts\`): ${catalogue.products.toLocaleString('en-US')} products, ${catalogue.variants.toLocaleString('en-US')} variants, ${catalogue.stores.length} stores spread uniformly over a ${options.citySideKm} × ${options.citySideKm} km city, ${catalogue.stockLevels.toLocaleString('en-US')} stock levels (each variant at about ${options.storesPerVariant} random stores, ${Math.round(options.soldOutShare * 100)} % of them sold out), ${catalogue.indexRows.toLocaleString('en-US')} search index rows; written in ${(catalogue.ms / 1000).toFixed(1)} s. The project's server (createVendureConfig: Vendure's default search with \`DeliverySearchStrategy\`) on an embedded PostgreSQL 17 of its own, default settings. A located listing's totalItems was checked against a count from the stock levels. Delivery points: ${options.locations} random points of the inner city, ${sortedNearby[0]}–${sortedNearby[sortedNearby.length - 1]} stores within 5 km (median ${median(sortedNearby)}).

Each request is \`search(input: { term?, groupByProduct: true, take: 24, deliveryLocation? }) { totalItems items { productId productName slug priceWithTax fastDelivery nearestStoreDistanceKm } }\`, anonymous, one at a time over loopback. ${options.rounds} rounds; in each, for every delivery point, the four cases in rotating order. p50 and p95 are per round, the table gives their medians over the rounds.

| case | p50 | p95 | requests | median totalItems | p95 with / without location |
| --- | ---: | ---: | ---: | ---: | ---: |
${cases.join('\n')}

**Target (p95 with a location ≤ ${TARGET_RATIO}× without): ${allMet ? 'met' : 'missed'}.** ${verdicts.map(v => v.text).join('; ')}.

Where the time goes: EXPLAIN ANALYZE of the strategy's two statements for the first delivery point (built with its own query builders, same input and nearby stores), execution time in PostgreSQL:

| case | results page | totalItems |
| --- | ---: | ---: |
${profileRows.join('\n')}

Command: \`npm run bench -- near-me${extra.length ? ` ${extra.join(' ')}` : ''}\` (options: \`--variants 20000 --stores 500 --stores-per-variant 20 --city-km 30 --sold-out 0.2 --rounds 3 --locations 15 --seed 1\`; \`--explain\` prints the plans, \`--no-write\` prints only), ${Math.round(seconds)} s in all.

Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, shared with other work. Measured ${new Date().toISOString().slice(0, 10)}.`;
}

main().catch(error => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
