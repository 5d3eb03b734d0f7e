import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The secret of each delivery's tracking link (`/track/<token>`). Deliveries made before the
 * upgrade get 64 random hex digits (two v4 UUIDs, 244 random bits; `gen_random_uuid` is built into
 * PostgreSQL 13 and later), new ones the plugin's 192-bit base64url token.
 */
export class DeliveryTrackingTokens1795820000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "trackingToken" character varying(64)`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "delivery_assignment" SET "trackingToken" =
                replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ALTER COLUMN "trackingToken" SET NOT NULL`,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_assignment_tracking_token" ON "delivery_assignment" ("trackingToken") `,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_assignment_tracking_token"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_assignment" DROP COLUMN "trackingToken"`, undefined);
    }
}
