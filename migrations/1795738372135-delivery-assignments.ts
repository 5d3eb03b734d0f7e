import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryAssignments1795738372135 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE TABLE "delivery_event" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "assignmentId" integer NOT NULL, "fromStatus" character varying(16), "toStatus" character varying(16) NOT NULL, "reasonCode" character varying(32), "note" text, "actor" character varying(64) NOT NULL, "id" SERIAL NOT NULL, CONSTRAINT "PK_7284fd7d496949e5ca68880d751" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE TABLE "delivery_assignment" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "orderId" integer NOT NULL, "driverId" integer, "status" character varying(16) NOT NULL DEFAULT 'PENDING', "pickupStockLocationId" integer, "dropoffLatitude" double precision NOT NULL, "dropoffLongitude" double precision NOT NULL, "pickupDistanceKm" double precision, "attempts" integer NOT NULL DEFAULT '0', "lastError" text, "assignedAt" TIMESTAMP, "pickedUpAt" TIMESTAMP, "deliveredAt" TIMESTAMP, "correlationId" character varying(36) NOT NULL, "fulfillmentId" integer, "excludedDriverIds" text NOT NULL DEFAULT '[]', "id" SERIAL NOT NULL, CONSTRAINT "PK_168dcee5e0ba14936d3e868be65" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_3cbef422753f36574f90f541d9" ON "delivery_assignment" ("orderId") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_cca46b71b1e2342ed233a75303" ON "delivery_assignment" ("status", "createdAt") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_assignment_open_driver" ON "delivery_assignment" ("driverId") WHERE "status" IN ('ASSIGNED', 'PICKED_UP')`,
            undefined,
        );
        await queryRunner.query(
            `CREATE TABLE "delivery_assignment_channels_channel" ("deliveryAssignmentId" integer NOT NULL, "channelId" integer NOT NULL, CONSTRAINT "PK_22bbf218bf18c54b4f7dfb44770" PRIMARY KEY ("deliveryAssignmentId", "channelId"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_636a979c4d101774e34771bd81" ON "delivery_assignment_channels_channel" ("deliveryAssignmentId") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_58d3a65b7ae4d6f76ae0f97a3c" ON "delivery_assignment_channels_channel" ("channelId") `,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_event" ADD CONSTRAINT "FK_8fe47285036e5157e0b70d2c1e8" FOREIGN KEY ("assignmentId") REFERENCES "delivery_assignment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD CONSTRAINT "FK_3cbef422753f36574f90f541d99" FOREIGN KEY ("orderId") REFERENCES "order"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD CONSTRAINT "FK_86061500abdc66d22d13e6c50a1" FOREIGN KEY ("driverId") REFERENCES "driver"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" ADD CONSTRAINT "FK_d56665d673a2bf231b1568b17fa" FOREIGN KEY ("pickupStockLocationId") REFERENCES "stock_location"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment_channels_channel" ADD CONSTRAINT "FK_636a979c4d101774e34771bd816" FOREIGN KEY ("deliveryAssignmentId") REFERENCES "delivery_assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment_channels_channel" ADD CONSTRAINT "FK_58d3a65b7ae4d6f76ae0f97a3c5" FOREIGN KEY ("channelId") REFERENCES "channel"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment_channels_channel" DROP CONSTRAINT "FK_58d3a65b7ae4d6f76ae0f97a3c5"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment_channels_channel" DROP CONSTRAINT "FK_636a979c4d101774e34771bd816"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" DROP CONSTRAINT "FK_d56665d673a2bf231b1568b17fa"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" DROP CONSTRAINT "FK_86061500abdc66d22d13e6c50a1"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_assignment" DROP CONSTRAINT "FK_3cbef422753f36574f90f541d99"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_event" DROP CONSTRAINT "FK_8fe47285036e5157e0b70d2c1e8"`,
            undefined,
        );
        await queryRunner.query(`DROP INDEX "public"."IDX_58d3a65b7ae4d6f76ae0f97a3c"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_636a979c4d101774e34771bd81"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_assignment_channels_channel"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_assignment_open_driver"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_cca46b71b1e2342ed233a75303"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_3cbef422753f36574f90f541d9"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_assignment"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_event"`, undefined);
    }
}
