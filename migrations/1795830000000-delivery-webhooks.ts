import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery webhooks: the endpoints staff configure (channel-aware) and the outbox, one row per
 * event and endpoint with its event id and body, unique per source event and endpoint.
 */
export class DeliveryWebhooks1795830000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE TABLE "delivery_webhook" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "url" character varying(2000) NOT NULL, "secret" character varying(128) NOT NULL, "events" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "consecutiveFailures" integer NOT NULL DEFAULT '0', "lastError" character varying(200), "lastFailureAt" TIMESTAMP, "lastSuccessAt" TIMESTAMP, "id" SERIAL NOT NULL, CONSTRAINT "PK_498828e0ce39ad45b5f9dcbf56b" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE TABLE "delivery_webhook_message" ("createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "eventId" character varying(64) NOT NULL, "eventType" character varying(32) NOT NULL, "sourceKey" character varying(100) NOT NULL, "body" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "leaseUntil" TIMESTAMP, "nextAttemptAt" TIMESTAMP NOT NULL, "lastStatusCode" integer, "lastError" character varying(200), "deliveredAt" TIMESTAMP, "id" SERIAL NOT NULL, "webhookId" integer NOT NULL, CONSTRAINT "PK_fe848ab004e05c15202c72a7e41" PRIMARY KEY ("id"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_webhook_message_event_id" ON "delivery_webhook_message" ("eventId") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_delivery_webhook_message_pending" ON "delivery_webhook_message" ("status", "nextAttemptAt") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE UNIQUE INDEX "IDX_delivery_webhook_message_source" ON "delivery_webhook_message" ("webhookId", "sourceKey") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE TABLE "delivery_webhook_channels_channel" ("deliveryWebhookId" integer NOT NULL, "channelId" integer NOT NULL, CONSTRAINT "PK_911c4c81c5050408f7e6e25d8b9" PRIMARY KEY ("deliveryWebhookId", "channelId"))`,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_58d27ac4307d704bb63136df54" ON "delivery_webhook_channels_channel" ("deliveryWebhookId") `,
            undefined,
        );
        await queryRunner.query(
            `CREATE INDEX "IDX_8292655933078aa9b647b6ee0b" ON "delivery_webhook_channels_channel" ("channelId") `,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_webhook_message" ADD CONSTRAINT "FK_38187d944cc1b1c0a501fd41b46" FOREIGN KEY ("webhookId") REFERENCES "delivery_webhook"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_webhook_channels_channel" ADD CONSTRAINT "FK_58d27ac4307d704bb63136df544" FOREIGN KEY ("deliveryWebhookId") REFERENCES "delivery_webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_webhook_channels_channel" ADD CONSTRAINT "FK_8292655933078aa9b647b6ee0b9" FOREIGN KEY ("channelId") REFERENCES "channel"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
            undefined,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `ALTER TABLE "delivery_webhook_channels_channel" DROP CONSTRAINT "FK_8292655933078aa9b647b6ee0b9"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_webhook_channels_channel" DROP CONSTRAINT "FK_58d27ac4307d704bb63136df544"`,
            undefined,
        );
        await queryRunner.query(
            `ALTER TABLE "delivery_webhook_message" DROP CONSTRAINT "FK_38187d944cc1b1c0a501fd41b46"`,
            undefined,
        );
        await queryRunner.query(`DROP INDEX "public"."IDX_8292655933078aa9b647b6ee0b"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_58d27ac4307d704bb63136df54"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_webhook_channels_channel"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_webhook_message_source"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_webhook_message_pending"`, undefined);
        await queryRunner.query(`DROP INDEX "public"."IDX_delivery_webhook_message_event_id"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_webhook_message"`, undefined);
        await queryRunner.query(`DROP TABLE "delivery_webhook"`, undefined);
    }
}
