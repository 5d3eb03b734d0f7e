import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer notifications become an outbox: written in the delivery step's transaction,
 * `publishedAt` set when published, so the dispatch sweep publishes what a process that died after
 * the commit left behind. Rows from before were published when written.
 */
export class DeliveryNotificationOutbox1795850000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ADD "reasonCode" character varying(32)`,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "delivery_notification" ADD "publishedAt" TIMESTAMP`, undefined);
        await queryRunner.query(`UPDATE "delivery_notification" SET "publishedAt" = "createdAt"`, undefined);
        await queryRunner.query(
            `CREATE INDEX "IDX_delivery_notification_published" ON "delivery_notification" ("publishedAt") `,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_notification_published"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_notification" DROP COLUMN "publishedAt"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_notification" DROP COLUMN "reasonCode"`, undefined);
    }
}
