import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryCodes1795744377433 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "order" ADD "customFieldsPlacedinsessionid" integer`, undefined);
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "deliveryCode" character varying(8)`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "codeFailures" integer NOT NULL DEFAULT '0'`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD "codeLockedUntil" TIMESTAMP`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "delivery_assignment" DROP COLUMN "codeLockedUntil"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_assignment" DROP COLUMN "codeFailures"`, undefined);
        await queryRunner.query(`ALTER TABLE "delivery_assignment" DROP COLUMN "deliveryCode"`, undefined);
        await queryRunner.query(`ALTER TABLE "order" DROP COLUMN "customFieldsPlacedinsessionid"`, undefined);
    }
}
