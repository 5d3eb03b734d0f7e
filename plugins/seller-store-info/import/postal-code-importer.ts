import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

import { parseGeoNamesPostalCodeLine, PostalCodeRecord } from './geonames-postal-code-parser';

/** What the importer needs of a database client: a `pg` Client or Pool fits. */
export interface PostalCodeImportDatabase {
    query(sql: string, params: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

export interface PostalCodeImportSummary {
    /** Every line of the input, blank ones included. */
    linesRead: number;
    /** Lines that parsed to a postal code. */
    valid: number;
    /** Postal codes that were not in the table. */
    inserted: number;
    /**
     * Postal codes whose place name or coordinates changed. A code whose lines are far apart in the
     * file (in different batches) with different values is rewritten by each of them, and counted
     * here on every import; the last line still wins.
     */
    updated: number;
    /**
     * Valid lines that changed nothing: `valid - inserted - updated`. This includes lines
     * superseded by a later line for the same postal code in the same batch.
     */
    unchanged: number;
    malformed: number;
}

export type PostalCodeImportProgress = Omit<PostalCodeImportSummary, 'unchanged'>;

export interface PostalCodeImportOptions {
    /**
     * Distinct postal codes written per statement.
     * @default 1000
     */
    batchSize?: number;
    /** Called after each batch is written. */
    onProgress?(progress: PostalCodeImportProgress): void;
    /** Called for each line that is not a valid postal code; the line is skipped. */
    onMalformed?(lineNumber: number, reason: string, line: string): void;
}

export const DEFAULT_IMPORT_BATCH_SIZE = 1000;

/**
 * One statement per batch: the columns arrive as five arrays (five parameters whatever the batch
 * size, and one statement text for the server to plan). A row is only rewritten when its values
 * differ, so a re-import of the same file writes nothing; `xmax = 0` marks a freshly inserted row.
 */
const UPSERT_SQL = `
INSERT INTO "postal_code_location" ("countryCode", "postalCode", "placeName", "latitude", "longitude")
SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::double precision[], $5::double precision[])
ON CONFLICT ("countryCode", "postalCode") DO UPDATE SET
    "placeName" = EXCLUDED."placeName",
    "latitude" = EXCLUDED."latitude",
    "longitude" = EXCLUDED."longitude",
    "updatedAt" = now()
WHERE ("postal_code_location"."placeName", "postal_code_location"."latitude", "postal_code_location"."longitude")
    IS DISTINCT FROM (EXCLUDED."placeName", EXCLUDED."latitude", EXCLUDED."longitude")
RETURNING ("xmax" = 0) AS "inserted"`;

/**
 * Streams a GeoNames postal-code file into `postal_code_location`, upserting in batches. Memory
 * stays bounded by one batch: the input is read line by line and never held whole. Malformed
 * lines are reported through `onMalformed` and skipped.
 */
export async function importPostalCodes(
    input: Readable,
    db: PostalCodeImportDatabase,
    options: PostalCodeImportOptions = {},
): Promise<PostalCodeImportSummary> {
    const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    }
    const counts: PostalCodeImportProgress = {
        linesRead: 0,
        valid: 0,
        inserted: 0,
        updated: 0,
        malformed: 0,
    };
    // Keyed by country and postal code: a later line for the same code replaces the earlier one,
    // as ON CONFLICT cannot touch the same row twice in one statement.
    let batch = new Map<string, PostalCodeRecord>();

    const flush = async () => {
        if (batch.size === 0) return;
        const records = [...batch.values()];
        batch = new Map();
        const result = await db.query(UPSERT_SQL, [
            records.map(record => record.countryCode),
            records.map(record => record.postalCode),
            records.map(record => record.placeName),
            records.map(record => record.latitude),
            records.map(record => record.longitude),
        ]);
        for (const row of result.rows as Array<{ inserted: boolean }>) {
            if (row.inserted) counts.inserted++;
            else counts.updated++;
        }
        options.onProgress?.({ ...counts });
    };

    const lines = createInterface({ input, crlfDelay: Infinity });
    for await (const rawLine of lines) {
        counts.linesRead++;
        // A byte-order mark would otherwise end up in the first country code.
        const line = counts.linesRead === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
        const parsed = parseGeoNamesPostalCodeLine(line);
        if (parsed === null) continue;
        if (!parsed.ok) {
            counts.malformed++;
            options.onMalformed?.(counts.linesRead, parsed.reason, line);
            continue;
        }
        counts.valid++;
        const key = `${parsed.record.countryCode}\t${parsed.record.postalCode}`;
        // Lines of one postal code usually follow each other (GeoNames lists every place sharing a
        // code): a full batch is only written when a new code arrives, so such a run of lines never
        // straddles two batches, which would rewrite the row twice on every import.
        if (batch.size >= batchSize && !batch.has(key)) await flush();
        batch.set(key, parsed.record);
    }
    await flush();
    return { ...counts, unchanged: counts.valid - counts.inserted - counts.updated };
}
