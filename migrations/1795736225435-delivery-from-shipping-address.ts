import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryFromShippingAddress1795736225435 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "order" ADD "customFieldsDeliveryfromshippingpostalcode" character varying(255)`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "order" DROP COLUMN "customFieldsDeliveryfromshippingpostalcode"`,
            undefined,
        );
    }
}
