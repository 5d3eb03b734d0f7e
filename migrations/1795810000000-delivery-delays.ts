import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delayed deliveries: when each stage's DeliveryDelayedEvent went out (set once, so it goes out
 * once across processes), and an index on readiness for `deliveryInsights` over a period.
 * Existing open deliveries past a threshold are alerted by the first sweep after the upgrade.
 */
export class DeliveryDelays1795810000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "waitingForDriverDelayedAt" TIMESTAMP`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "outForDeliveryDelayedAt" TIMESTAMP`,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_delivery_assignment_created_at" ON "delivery_assignment" ("createdAt") `,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_assignment_created_at"`, undefined);
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" DROP COLUMN "outForDeliveryDelayedAt"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" DROP COLUMN "waitingForDriverDelayedAt"`,
            undefined,
        );
    }
}
