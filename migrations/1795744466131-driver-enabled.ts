import { MigrationInterface, QueryRunner } from 'typeorm';

export class DriverEnabled1795744466131 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "driver" ADD "enabled" boolean NOT NULL DEFAULT true`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "driver" DROP COLUMN "enabled"`, undefined);
    }
}
