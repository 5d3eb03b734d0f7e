import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer notification is once per delivery, step, attempt and driver (was: step and driver),
 * so a delivery staff retried tells the customer again, and a delivery staff failed while it waited
 * for a driver (no driver) tells them too. Existing rows are of the first attempt.
 */
export class DeliveryNotificationAttempts1795860000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_notification_once"`, undefined);
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ADD "attempt" integer NOT NULL DEFAULT '0'`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ADD "onceKey" character varying(64)`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "delivery_notification" SET "onceKey" = '0:' || "driverId"::text`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ALTER COLUMN "onceKey" SET NOT NULL`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ALTER COLUMN "driverId" DROP NOT NULL`,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_notification_once" ON "delivery_notification" ("assignmentId", "kind", "onceKey") `,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_notification_once"`, undefined);
        // Rows of later attempts or without a driver do not fit the old key.
        await queryRunner.query(
            `DELETE FROM "delivery_notification" WHERE "driverId" IS NULL OR "attempt" > 0`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ALTER COLUMN "driverId" SET NOT NULL`,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "delivery_notification" DROP COLUMN "onceKey"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_notification" DROP COLUMN "attempt"`, undefined);
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_notification_once" ON "delivery_notification" ("assignmentId", "driverId", "kind") `,
            undefined,
        );
    }
}
