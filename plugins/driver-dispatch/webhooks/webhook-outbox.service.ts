import { randomUUID } from 'node:crypto';

import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import {
    EventBus,
    ID,
    JobQueue,
    JobQueueService,
    Logger,
    Order,
    RequestContext,
    SerializedRequestContext,
    TransactionalConnection,
} from '@vendure/core';
import { Brackets, In } from 'typeorm';

import { describeError } from '../../shared/errors';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS, loggerCtx, WEBHOOK_QUEUE_NAME } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { DeliveryDelayedEvent } from '../events/delivery-delayed-event';
import { DeliveryStatusEvent } from '../events/delivery-status-event';
import { ResolvedDriverDispatchOptions } from '../options';
import { OutboxHandoff } from '../services/outbox-handoff';
import { DeliveryWebhook } from './delivery-webhook.entity';
import { DeliveryWebhookMessage, DeliveryWebhookMessageStatus } from './delivery-webhook-message.entity';
import {
    buildPayload,
    DeliveryWebhookEventType,
    eventTypeOfStatus,
    PayloadEvent,
    payloadType,
} from './webhook-events';
import { DeliveryWebhookOptions, resolveWebhookOptions, webhookRetryDelay } from './webhook-options';
import { MAX_WEBHOOK_ERROR_LENGTH, postWebhook, WebhookSendResult } from './webhook-sender';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';

/** Jobs of the `delivery-webhook` queue: the outbox row's id, never the event itself. */
export type DeliveryWebhookJobData = {
    type: 'deliver-webhook';
    messageId: ID;
    ctx: SerializedRequestContext;
};

/** What one attempt came to: `skipped` when the row is done, not due yet, or another attempt holds it. */
export type WebhookAttemptOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

/** A PENDING row this long past its next attempt has lost its job: the sweep gives it a new one. */
const REQUEUE_GRACE_MS = 60_000;
/** Rows re-queued per sweep; the next sweep takes the rest. */
const REQUEUE_BATCH_SIZE = 100;
/** A job this early for its row's next attempt (clocks of two processes) still sends it. */
const DUE_SLACK_MS = 1000;
/** An attempt's lease outlives its timeout by this much. */
const LEASE_SLACK_MS = 30_000;

/**
 * The delivery webhooks' outbox. When a delivery moves (or is delayed), a blocking event handler
 * writes one {@link DeliveryWebhookMessage} per endpoint that wants the event, inside the move's own
 * transaction, so the event is recorded exactly when the move commits. After the commit, one job per
 * row POSTs it; a failed attempt throws, and the job queue retries it with backoff until
 * `maxAttempts`. Each attempt takes the row with a conditional UPDATE (a lease), so two jobs for a
 * row never send it at once; a delivered row is never sent again. The dispatch sweep re-queues rows
 * whose job was lost (a process that died between the commit and the enqueue, or mid-attempt).
 */
@Injectable()
export class WebhookOutboxService implements OnModuleInit, OnApplicationBootstrap {
    private queue: JobQueue<DeliveryWebhookJobData>;
    /** The rows an event's blocking handler wrote, for its post-commit subscriber to enqueue. */
    private readonly recorded = new OutboxHandoff<ID[]>();

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly jobQueueService: JobQueueService,
        private readonly eventBus: EventBus,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<ResolvedDriverDispatchOptions, 'webhooks'>,
    ) {}

    private get settings(): DeliveryWebhookOptions {
        return resolveWebhookOptions(this.options.webhooks);
    }

    async onModuleInit(): Promise<void> {
        this.queue = await this.jobQueueService.createQueue<DeliveryWebhookJobData>({
            name: WEBHOOK_QUEUE_NAME,
            process: async job => {
                const ctx = RequestContext.deserialize(job.data.ctx);
                const outcome = await this.attempt(ctx, job.data.messageId);
                // Thrown: the job queue retries it with its backoff.
                if (outcome === 'retry')
                    throw new Error(`webhook message ${String(job.data.messageId)} failed`);
                return outcome;
            },
        });
    }

    onApplicationBootstrap(): void {
        this.eventBus.registerBlockingEventHandler({
            event: [DeliveryStatusEvent, DeliveryDelayedEvent],
            id: 'driver-dispatch-webhook-outbox',
            handler: (event: DeliveryStatusEvent | DeliveryDelayedEvent) =>
                this.recorded.give(event, () => this.record(event)),
        });
        // Subscribers run after the move committed: the job finds the rows.
        for (const type of [DeliveryStatusEvent, DeliveryDelayedEvent]) {
            this.eventBus.ofType<DeliveryStatusEvent | DeliveryDelayedEvent>(type).subscribe(event => {
                void this.recorded.take(event).then(ids => {
                    if (ids?.length) return this.enqueue(event.ctx, ids);
                });
            });
        }
    }

    /**
     * Writes the event's rows in the publishing transaction: one per enabled endpoint of the
     * delivery's channels that wants this event type; none twice for the same source event.
     */
    async record(event: DeliveryStatusEvent | DeliveryDelayedEvent): Promise<ID[]> {
        const source = sourceOf(event);
        if (!source || event.channelIds.length === 0) return [];
        const { ctx } = event;
        const webhooks = (
            await this.connection
                .getRepository(ctx, DeliveryWebhook)
                .createQueryBuilder('webhook')
                .innerJoin('webhook.channels', 'channel', 'channel.id IN (:...channelIds)', {
                    channelIds: event.channelIds,
                })
                .where('webhook.enabled = :enabled', { enabled: true })
                .getMany()
        ).filter(webhook => webhook.events.includes(source.event.type));
        if (webhooks.length === 0) return [];
        const assignment = await this.connection
            .getRepository(ctx, DeliveryAssignment)
            .findOne({ where: { id: event.assignmentId } });
        const order = await this.connection
            .getRepository(ctx, Order)
            .findOne({ where: { id: event.orderId }, select: ['id', 'code'] });
        if (!assignment || !order) return [];
        const now = new Date();
        const delivery = {
            ...assignment,
            status: event instanceof DeliveryStatusEvent ? event.toStatus : assignment.status,
            orderCode: order.code,
        };
        const rows = webhooks.map(webhook => {
            const eventId = `evt_${randomUUID()}`;
            return {
                webhookId: webhook.id,
                eventId,
                eventType: source.event.type,
                sourceKey: source.key,
                body: JSON.stringify(buildPayload(eventId, now, source.event, delivery)),
                status: DeliveryWebhookMessageStatus.PENDING,
                attempts: 0,
                nextAttemptAt: now,
            };
        });
        const result = await this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .createQueryBuilder()
            .insert()
            .into(DeliveryWebhookMessage)
            .values(rows)
            .orIgnore()
            .returning(['id'])
            .execute();
        return (result.raw as Array<{ id: ID }>).map(row => row.id);
    }

    /** One job per row; a row whose enqueue fails stays PENDING for the sweep. */
    async enqueue(ctx: RequestContext, messageIds: ID[]): Promise<void> {
        const retries = this.settings.maxAttempts - 1;
        for (const messageId of messageIds) {
            try {
                await this.queue.add(
                    { type: 'deliver-webhook', messageId, ctx: ctx.serialize() },
                    { retries },
                );
            } catch (error) {
                Logger.error(
                    `Could not enqueue webhook message ${String(messageId)} (the sweep re-queues it): ${describeError(error)}`,
                    loggerCtx,
                );
            }
        }
    }

    /**
     * One attempt at one row: takes it (unless it is done, not due yet, or another attempt holds it), POSTs it
     * signed with the endpoint's current secret, and records the outcome on the row and its
     * endpoint. `retry` means the job should be retried.
     */
    async attempt(ctx: RequestContext, messageId: ID): Promise<WebhookAttemptOutcome> {
        const settings = this.settings;
        const now = new Date();
        const taken = await this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .createQueryBuilder()
            .update(DeliveryWebhookMessage)
            .set({
                attempts: () => '"attempts" + 1',
                leaseUntil: new Date(now.getTime() + settings.timeoutMs + LEASE_SLACK_MS),
            })
            .where('id = :id', { id: messageId })
            .andWhere('status = :pending', { pending: DeliveryWebhookMessageStatus.PENDING })
            // Not before its backoff, whatever the job queue's own: early, the sweep re-queues it.
            .andWhere('"nextAttemptAt" <= :due', { due: new Date(now.getTime() + DUE_SLACK_MS) })
            .andWhere(
                new Brackets(qb => qb.where('"leaseUntil" IS NULL').orWhere('"leaseUntil" < :now', { now })),
            )
            .returning(['attempts'])
            .execute();
        const attempts = (taken.raw as Array<{ attempts: number }>)[0]?.attempts;
        if (attempts === undefined) return 'skipped';
        const message = await this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .findOne({ where: { id: messageId }, relations: { webhook: true } });
        if (!message) return 'skipped';
        const webhook = message.webhook;
        const result: WebhookSendResult = webhook.enabled
            ? await postWebhook({
                  url: webhook.url,
                  body: message.body,
                  headers: {
                      'Content-Type': 'application/json',
                      'User-Agent': 'vendure-driver-dispatch-webhooks/1',
                      'X-Delivery-Event-Id': message.eventId,
                      'X-Delivery-Event-Type': payloadType(message.eventType as DeliveryWebhookEventType),
                      [SIGNATURE_HEADER]: signatureHeader(webhook.secret, message.body),
                  },
                  timeoutMs: settings.timeoutMs,
                  allowPrivateTargets: settings.allowPrivateTargets,
              })
            : {
                  ok: false,
                  statusCode: null,
                  error: 'the endpoint was disabled before the event got through',
              };
        const finishedAt = new Date();
        if (result.ok) {
            await this.finish(ctx, message.id, {
                status: DeliveryWebhookMessageStatus.DELIVERED,
                deliveredAt: finishedAt,
                lastStatusCode: result.statusCode,
                lastError: null,
            });
            await this.connection
                .getRepository(ctx, DeliveryWebhook)
                .update({ id: webhook.id }, { consecutiveFailures: 0, lastSuccessAt: finishedAt });
            return 'delivered';
        }
        const final = !webhook.enabled || attempts >= settings.maxAttempts;
        const error = result.error.slice(0, MAX_WEBHOOK_ERROR_LENGTH);
        await this.finish(ctx, message.id, {
            status: final ? DeliveryWebhookMessageStatus.FAILED : DeliveryWebhookMessageStatus.PENDING,
            lastStatusCode: result.statusCode,
            lastError: error,
            nextAttemptAt: new Date(finishedAt.getTime() + webhookRetryDelay(attempts, settings)),
        });
        if (webhook.enabled) {
            await this.connection
                .getRepository(ctx, DeliveryWebhook)
                .createQueryBuilder()
                .update(DeliveryWebhook)
                .set({
                    consecutiveFailures: () => '"consecutiveFailures" + 1',
                    lastError: error,
                    lastFailureAt: finishedAt,
                })
                .where('id = :id', { id: webhook.id })
                .execute();
        }
        Logger.warn(
            `Webhook ${String(webhook.id)}: event ${message.eventId} attempt ${attempts} failed: ${error}` +
                (final ? ' (no more attempts)' : ''),
            loggerCtx,
        );
        return final ? 'failed' : 'retry';
    }

    /**
     * The sweep's part: PENDING rows well past their next attempt, with no attempt running, get a
     * new job (their own was lost). Returns their ids.
     */
    async requeueDue(ctx: RequestContext): Promise<ID[]> {
        const now = Date.now();
        const due = await this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .createQueryBuilder('message')
            .select(['message.id'])
            .where('message.status = :pending', { pending: DeliveryWebhookMessageStatus.PENDING })
            .andWhere('message.nextAttemptAt < :due', { due: new Date(now - REQUEUE_GRACE_MS) })
            .andWhere(
                new Brackets(qb =>
                    qb
                        .where('message.leaseUntil IS NULL')
                        .orWhere('message.leaseUntil < :now', { now: new Date(now) }),
                ),
            )
            .orderBy('message.nextAttemptAt', 'ASC')
            .take(REQUEUE_BATCH_SIZE)
            .getMany();
        if (due.length === 0) return [];
        const ids = due.map(row => row.id);
        // Due now for its new job; the next sweeps leave it alone for the grace minute, unless
        // this job is lost too.
        await this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .update({ id: In(ids) }, { nextAttemptAt: new Date(now) });
        await this.enqueue(ctx, ids);
        return ids;
    }

    private async finish(
        ctx: RequestContext,
        id: ID,
        change: Partial<DeliveryWebhookMessage>,
    ): Promise<void> {
        await this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .update({ id }, { ...change, leaseUntil: null });
    }
}

/** The webhook event an EventBus event is, and the key that makes it once per endpoint. */
function sourceOf(
    event: DeliveryStatusEvent | DeliveryDelayedEvent,
): { key: string; event: PayloadEvent } | undefined {
    if (event instanceof DeliveryDelayedEvent) {
        return {
            key: `delayed:${String(event.assignmentId)}:${event.stage}`,
            event: {
                type: DeliveryWebhookEventType.DELAYED,
                previousStatus: null,
                reasonCode: null,
                delay: { stage: event.stage, since: event.since },
            },
        };
    }
    const type = eventTypeOfStatus(event.toStatus);
    if (!type || event.fromStatus === event.toStatus) return undefined;
    // The move's own DeliveryEvent row; without it (an older publisher), the move's status pair and time.
    const key =
        event.deliveryEventId != null
            ? `status:${String(event.deliveryEventId)}`
            : `status:${String(event.assignmentId)}:${event.fromStatus ?? 'new'}:${event.toStatus}:${event.createdAt.getTime()}`;
    return {
        key,
        event: { type, previousStatus: event.fromStatus, reasonCode: event.reasonCode, delay: null },
    };
}
