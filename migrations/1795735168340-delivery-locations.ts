import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryLocations1795735168340 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE TABLE "postal_code_location" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "countryCode" character varying(2) NOT NULL, "postalCode" character varying(20) NOT NULL, "placeName" character varying(180), "latitude" double precision NOT NULL, "longitude" double precision NOT NULL, "id" SERIAL NOT NULL, CONSTRAINT "PK_c3524dd1650331113b3c4f97d3c" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_84bb971e565e566ec735c11366" ON "postal_code_location" ("countryCode", "postalCode") `,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" ADD "customFieldsDeliverylatitude" double precision`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" ADD "customFieldsDeliverylongitude" double precision`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" ADD "customFieldsDeliverypostalcode" character varying(255)`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" ADD "customFieldsDeliverycountrycode" character varying(255)`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order_line" ADD "customFieldsServingstocklocationid" integer`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" ADD "customFieldsDeliverylatitude" double precision`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" ADD "customFieldsDeliverylongitude" double precision`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" ADD "customFieldsDeliverypostalcode" character varying(255)`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" ADD "customFieldsDeliverycountrycode" character varying(255)`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "session" DROP COLUMN "customFieldsDeliverycountrycode"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" DROP COLUMN "customFieldsDeliverypostalcode"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" DROP COLUMN "customFieldsDeliverylongitude"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "session" DROP COLUMN "customFieldsDeliverylatitude"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order_line" DROP COLUMN "customFieldsServingstocklocationid"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" DROP COLUMN "customFieldsDeliverycountrycode"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "order" DROP COLUMN "customFieldsDeliverypostalcode"`,
            undefined,
        );
        await queryRunner.query(`ALTER TABLE "order" DROP COLUMN "customFieldsDeliverylongitude"`, undefined);
        await queryRunner.query(`ALTER TABLE "order" DROP COLUMN "customFieldsDeliverylatitude"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_84bb971e565e566ec735c11366"`, undefined);
        await queryRunner.query(`DROP TABLE "postal_code_location"`, undefined);
    }
}
