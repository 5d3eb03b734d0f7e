import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drivers get a delivery reference instead of the order code (which opens the order to anyone for
 * a while after checkout), and wrong delivery codes are counted per driver as well. Existing
 * deliveries get a reference derived from nothing the customer's order holds.
 */
export class DeliveryReferences1795760000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "deliveryReference" character varying(16)`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "delivery_assignment" SET "deliveryReference" = upper(substr(md5(random()::text || id::text), 1, 4) || '-' || substr(md5(random()::text || id::text), 1, 4))`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ALTER COLUMN "deliveryReference" SET NOT NULL`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "driver" ADD "codeFailures" integer NOT NULL DEFAULT '0'`,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "driver" ADD "codeLockedUntil" TIMESTAMP`, undefined);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "driver" DROP COLUMN "codeLockedUntil"`, undefined);
        await queryRunner.query(`ALTER TABLE "driver" DROP COLUMN "codeFailures"`, undefined);
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" DROP COLUMN "deliveryReference"`,
            undefined,
        );
    }
}
