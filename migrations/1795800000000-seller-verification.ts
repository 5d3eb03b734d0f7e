import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marketplace seller verification (seller-store-info): a new seller is unverified, and the
 * sellers that exist when this runs are marked verified, so a running marketplace keeps showing
 * what it shows today.
 */
export class SellerVerification1795800000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "seller" ADD "customFieldsVerified" boolean NOT NULL DEFAULT false`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "seller" ADD "customFieldsVerificationchangedat" TIMESTAMP`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "seller" ADD "customFieldsVerificationchangedby" character varying(255)`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "seller" ADD "customFieldsUnverifiedreason" character varying(500)`,
            undefined,
        );
        await queryRunner.query(
            `UPDATE "seller" SET "customFieldsVerified" = true, "customFieldsVerificationchangedat" = now(), ` +
                `"customFieldsVerificationchangedby" = 'migration'`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "seller" DROP COLUMN "customFieldsUnverifiedreason"`, undefined);
        await queryRunner.query(
            `ALTER TABLE "seller" DROP COLUMN "customFieldsVerificationchangedby"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "seller" DROP COLUMN "customFieldsVerificationchangedat"`,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "seller" DROP COLUMN "customFieldsVerified"`, undefined);
    }
}
