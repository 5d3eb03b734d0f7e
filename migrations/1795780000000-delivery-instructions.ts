import { MigrationInterface, QueryRunner } from 'typeorm';

/** The customer's delivery instructions on the order, which the driver app shows. */
export class DeliveryInstructions1795780000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "order" ADD "customFieldsDeliveryinstructions" character varying(500)`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "order" DROP COLUMN "customFieldsDeliveryinstructions"`,
            undefined,
        );
    }
}
