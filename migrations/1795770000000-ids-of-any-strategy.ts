import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ids the suite stores outside a relation hold any EntityIdStrategy's ids (UUIDs too), so they are
 * text now: the session that placed an order, the store an order line is served from, and the
 * drivers a delivery is no longer offered to (a JSON array of numbers becomes one of strings).
 * Written by hand: a generated migration would drop the columns and lose their values.
 */
export class IdsOfAnyStrategy1795770000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "order" ALTER COLUMN "customFieldsPlacedinsessionid" TYPE character varying(255) USING "customFieldsPlacedinsessionid"::text`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order_line" ALTER COLUMN "customFieldsServingstocklocationid" TYPE character varying(255) USING "customFieldsServingstocklocationid"::text`,
            undefined,
        );
        // [3,7] becomes ["3","7"].
        await queryRunner.query(
            `UPDATE "delivery_assignment" SET "excludedDriverIds" = (SELECT COALESCE(json_agg(element #>> '{}'), '[]'::json)::text FROM json_array_elements("excludedDriverIds"::json) AS element) WHERE "excludedDriverIds" <> '[]'`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // Back to the int-id schema: only possible while the values are whole numbers.
        await queryRunner.query(
            `UPDATE "delivery_assignment" SET "excludedDriverIds" = (SELECT COALESCE(json_agg((element #>> '{}')::integer), '[]'::json)::text FROM json_array_elements("excludedDriverIds"::json) AS element) WHERE "excludedDriverIds" <> '[]'`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order_line" ALTER COLUMN "customFieldsServingstocklocationid" TYPE integer USING "customFieldsServingstocklocationid"::integer`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" ALTER COLUMN "customFieldsPlacedinsessionid" TYPE integer USING "customFieldsPlacedinsessionid"::integer`,
            undefined,
        );
    }
}
