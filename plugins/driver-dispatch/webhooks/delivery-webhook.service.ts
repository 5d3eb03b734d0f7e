import { Inject, Injectable } from '@nestjs/common';
import { DeletionResponse, DeletionResult } from '@vendure/common/lib/generated-types';
import {
    EntityNotFoundError,
    ID,
    ListQueryBuilder,
    ListQueryOptions,
    PaginatedList,
    RequestContext,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';

import { boundedText } from '../../shared/input-bounds';
import { DRIVER_DISPATCH_PLUGIN_OPTIONS } from '../constants';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryWebhook } from './delivery-webhook.entity';
import { DELIVERY_WEBHOOK_EVENT_TYPES, DeliveryWebhookEventType } from './webhook-events';
import { resolveWebhookOptions } from './webhook-options';
import { webhookUrlProblem } from './webhook-target';

/** Bounds of an endpoint's secret: long enough to resist guessing, short enough to store. */
export const WEBHOOK_SECRET_MIN_LENGTH = 16;
export const WEBHOOK_SECRET_MAX_LENGTH = 128;

export interface CreateDeliveryWebhookInput {
    url: string;
    secret: string;
    events: DeliveryWebhookEventType[];
    enabled?: boolean | null;
}

export interface UpdateDeliveryWebhookInput {
    id: ID;
    url?: string | null;
    secret?: string | null;
    events?: DeliveryWebhookEventType[] | null;
    enabled?: boolean | null;
}

/**
 * The webhook endpoints staff configure, always within the active channel: a seller's staff see
 * and change only their own channel's endpoints. Every input is checked before anything is
 * written, so a refused call changes nothing.
 */
@Injectable()
export class DeliveryWebhookService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly listQueryBuilder: ListQueryBuilder,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<ResolvedDriverDispatchOptions, 'webhooks'>,
    ) {}

    private get allowPrivateTargets(): boolean {
        return resolveWebhookOptions(this.options.webhooks).allowPrivateTargets;
    }

    findAll(
        ctx: RequestContext,
        options?: ListQueryOptions<DeliveryWebhook>,
    ): Promise<PaginatedList<DeliveryWebhook>> {
        return this.listQueryBuilder
            .build(DeliveryWebhook, options, { ctx, channelId: ctx.channelId })
            .getManyAndCount()
            .then(([items, totalItems]) => ({ items, totalItems }));
    }

    async findOne(ctx: RequestContext, id: ID): Promise<DeliveryWebhook | undefined> {
        const webhook = await this.connection
            .getRepository(ctx, DeliveryWebhook)
            .createQueryBuilder('webhook')
            .innerJoin('webhook.channels', 'channel', 'channel.id = :channelId', { channelId: ctx.channelId })
            .where('webhook.id = :id', { id })
            .getOne();
        return webhook ?? undefined;
    }

    async create(ctx: RequestContext, input: CreateDeliveryWebhookInput): Promise<DeliveryWebhook> {
        const webhook = new DeliveryWebhook({
            url: this.checkedUrl(input.url),
            secret: checkedSecret(input.secret),
            events: checkedEvents(input.events),
            enabled: input.enabled ?? true,
            consecutiveFailures: 0,
            lastError: null,
            lastFailureAt: null,
            lastSuccessAt: null,
            channels: [ctx.channel],
        });
        return this.connection.getRepository(ctx, DeliveryWebhook).save(webhook);
    }

    async update(ctx: RequestContext, input: UpdateDeliveryWebhookInput): Promise<DeliveryWebhook> {
        const url = input.url != null ? this.checkedUrl(input.url) : undefined;
        const secret = input.secret != null ? checkedSecret(input.secret) : undefined;
        const events = input.events != null ? checkedEvents(input.events) : undefined;
        const webhook = await this.getOrThrow(ctx, input.id);
        if (url !== undefined && url !== webhook.url) {
            webhook.url = url;
            // A new address starts afresh: the old one's failures say nothing about it.
            webhook.consecutiveFailures = 0;
            webhook.lastError = null;
        }
        if (secret !== undefined) webhook.secret = secret;
        if (events !== undefined) webhook.events = events;
        if (input.enabled != null) webhook.enabled = input.enabled;
        return this.connection.getRepository(ctx, DeliveryWebhook).save(webhook);
    }

    /** Deletes the endpoint and its messages: events not yet delivered are dropped. */
    async delete(ctx: RequestContext, id: ID): Promise<DeletionResponse> {
        const webhook = await this.getOrThrow(ctx, id);
        await this.connection.getRepository(ctx, DeliveryWebhook).delete({ id: webhook.id });
        return { result: DeletionResult.DELETED };
    }

    private async getOrThrow(ctx: RequestContext, id: ID): Promise<DeliveryWebhook> {
        const webhook = await this.findOne(ctx, id);
        if (!webhook) throw new EntityNotFoundError('DeliveryWebhook', id);
        return webhook;
    }

    private checkedUrl(value: string): string {
        const url = boundedText(value.trim(), 'url', 2000);
        const problem = webhookUrlProblem(url, this.allowPrivateTargets);
        if (problem) throw new UserInputError(problem);
        return url;
    }
}

function checkedSecret(value: string): string {
    boundedText(value, 'secret', WEBHOOK_SECRET_MAX_LENGTH);
    if (value.length < WEBHOOK_SECRET_MIN_LENGTH) {
        throw new UserInputError(
            `secret is too short: at least ${WEBHOOK_SECRET_MIN_LENGTH} characters (got ${value.length})`,
        );
    }
    if (value.trim() !== value) throw new UserInputError('secret must not start or end with spaces');
    return value;
}

function checkedEvents(values: DeliveryWebhookEventType[]): DeliveryWebhookEventType[] {
    if (values.length > DELIVERY_WEBHOOK_EVENT_TYPES.length) {
        throw new UserInputError(
            `events: at most ${DELIVERY_WEBHOOK_EVENT_TYPES.length} event types (got ${values.length})`,
        );
    }
    const unique = [...new Set(values)];
    if (unique.length === 0) throw new UserInputError('events is empty: choose at least one event type');
    const unknown = unique.find(value => !DELIVERY_WEBHOOK_EVENT_TYPES.includes(value));
    if (unknown)
        throw new UserInputError(
            `events: unknown event type (one of ${DELIVERY_WEBHOOK_EVENT_TYPES.join(', ')})`,
        );
    return DELIVERY_WEBHOOK_EVENT_TYPES.filter(type => unique.includes(type));
}
