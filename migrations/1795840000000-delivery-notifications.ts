import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer notifications published (driver-dispatch's DeliveryNotificationService): the unique
 * (assignment, kind, driver) key makes each one once across processes.
 */
export class DeliveryNotifications1795840000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE TABLE "delivery_notification" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "kind" character varying(32) NOT NULL, "id" SERIAL NOT NULL, "assignmentId" integer NOT NULL, "driverId" integer NOT NULL, CONSTRAINT "PK_d0224189da7a0b723836db875cf" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_notification_once" ON "delivery_notification" ("assignmentId", "kind", "driverId") `,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" ADD CONSTRAINT "FK_dec2d36762ec9b60cf73e568f4c" FOREIGN KEY ("assignmentId") REFERENCES "delivery_assignment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_notification" DROP CONSTRAINT "FK_dec2d36762ec9b60cf73e568f4c"`,
            undefined,
        );
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_notification_once"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_notification"`, undefined);
    }
}
