import { MigrationInterface, QueryRunner } from 'typeorm';

export class Drivers1795737030896 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE TABLE "driver" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "name" character varying NOT NULL, "phoneNumber" character varying, "emailAddress" character varying NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'OFFLINE', "latitude" double precision, "longitude" double precision, "lastSeenAt" TIMESTAMP, "lastDeliveredAt" TIMESTAMP, "isDemo" boolean NOT NULL DEFAULT false, "administratorId" integer, "id" SERIAL NOT NULL, CONSTRAINT "UQ_564339426f676c936d65b13cb83" UNIQUE ("administratorId"), CONSTRAINT "REL_564339426f676c936d65b13cb8" UNIQUE ("administratorId"), CONSTRAINT "PK_61de71a8d217d585ecd5ee3d065" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_a8c6e2a544da00bc3a51c89dc8" ON "driver" ("status", "latitude", "longitude") `,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "driver" ADD CONSTRAINT "FK_564339426f676c936d65b13cb83" FOREIGN KEY ("administratorId") REFERENCES "administrator"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "driver" DROP CONSTRAINT "FK_564339426f676c936d65b13cb83"`,
            undefined,
        );
        await queryRunner.query(`DROP INDEX "public"."IDX_a8c6e2a544da00bc3a51c89dc8"`, undefined);
        await queryRunner.query(`DROP TABLE "driver"`, undefined);
    }
}
