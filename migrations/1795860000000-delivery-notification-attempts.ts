import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery counts its attempts (`attempt`: one more at each staff retry of a FAILED delivery),
 * and a customer notification is once per delivery, step, attempt and driver (was: step and
 * driver), so a retried delivery tells the customer again, and a delivery staff failed while it
 * waited for a driver (no driver) tells them too. Existing deliveries and notifications get the
 * attempt their retries so far give them.
 */
export class DeliveryNotificationAttempts1795860000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "attempt" integer NOT NULL DEFAULT '0'`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "delivery_assignment" AS "a" SET "attempt" = (
                SELECT count(*) FROM "delivery_event" AS "e"
                WHERE "e"."assignmentId" = "a"."id" AND "e"."fromStatus" = 'FAILED' AND "e"."toStatus" = 'PENDING'
            )`,
            undefined,
        );
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_notification_once"`, undefined);
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ADD "attempt" integer NOT NULL DEFAULT '0'`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ADD "onceKey" character varying(64) NOT NULL DEFAULT ''`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "delivery_notification" AS "n" SET "attempt" = (
                SELECT count(*) FROM "delivery_event" AS "e"
                WHERE "e"."assignmentId" = "n"."assignmentId" AND "e"."fromStatus" = 'FAILED'
                    AND "e"."toStatus" = 'PENDING' AND "e"."createdAt" <= "n"."createdAt"
            )`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "delivery_notification" SET "onceKey" = "attempt"::text || ':' || "driverId"::text`,
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
        // Rows without a driver, and all but the first of a step and driver, do not fit the old key.
        await queryRunner.query(`DELETE FROM "delivery_notification" WHERE "driverId" IS NULL`, undefined);
        await queryRunner.query(
            `DELETE FROM "delivery_notification" AS "n" USING "delivery_notification" AS "earlier"
             WHERE "earlier"."assignmentId" = "n"."assignmentId" AND "earlier"."kind" = "n"."kind"
                AND "earlier"."driverId" = "n"."driverId" AND "earlier"."id" < "n"."id"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ALTER COLUMN "driverId" SET NOT NULL`,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "delivery_notification" DROP COLUMN "onceKey"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_notification" DROP COLUMN "attempt"`, undefined);
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_notification_once" ON "delivery_notification" ("assignmentId", "kind", "driverId") `,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "delivery_assignment" DROP COLUMN "attempt"`, undefined);
    }
}
