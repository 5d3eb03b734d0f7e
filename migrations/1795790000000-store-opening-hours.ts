import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opening hours of a store (seller-store-info): the schedule as JSON text and its IANA time zone.
 * Both empty on existing stores, which then count as always open (`storesWithoutScheduleAlwaysOpen`).
 */
export class StoreOpeningHours1795790000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "stock_location" ADD "customFieldsOpeninghours" text`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "stock_location" ADD "customFieldsTimezone" character varying(255)`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "stock_location" DROP COLUMN "customFieldsTimezone"`, undefined);
        await queryRunner.query(
            `ALTER TABLE "stock_location" DROP COLUMN "customFieldsOpeninghours"`,
            undefined,
        );
    }
}
