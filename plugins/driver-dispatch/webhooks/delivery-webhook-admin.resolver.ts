import { Inject } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { DeletionResponse } from '@vendure/common/lib/generated-types';
import {
    Allow,
    Ctx,
    ID,
    ListQueryOptions,
    PaginatedList,
    RequestContext,
    Transaction,
    TransactionalConnection,
} from '@vendure/core';

import { checkListOptions, entityId } from '../../shared/input-bounds';
import { deliveryWebhookPermission, DRIVER_DISPATCH_PLUGIN_OPTIONS } from '../constants';
import { ResolvedDriverDispatchOptions } from '../options';
import { DeliveryWebhook } from './delivery-webhook.entity';
import {
    CreateDeliveryWebhookInput,
    DeliveryWebhookService,
    UpdateDeliveryWebhookInput,
} from './delivery-webhook.service';
import { DeliveryWebhookMessage, DeliveryWebhookMessageStatus } from './delivery-webhook-message.entity';
import { resolveWebhookOptions } from './webhook-options';

@Resolver()
export class DeliveryWebhookAdminResolver {
    constructor(private readonly webhooks: DeliveryWebhookService) {}

    @Query()
    @Allow(deliveryWebhookPermission.Read)
    deliveryWebhooks(
        @Ctx() ctx: RequestContext,
        @Args() args: { options?: ListQueryOptions<DeliveryWebhook> },
    ): Promise<PaginatedList<DeliveryWebhook>> {
        checkListOptions(args.options);
        return this.webhooks.findAll(ctx, args.options);
    }

    @Query()
    @Allow(deliveryWebhookPermission.Read)
    async deliveryWebhook(
        @Ctx() ctx: RequestContext,
        @Args() args: { id: ID },
    ): Promise<DeliveryWebhook | null> {
        return (await this.webhooks.findOne(ctx, entityId(args.id, 'DeliveryWebhook'))) ?? null;
    }

    @Mutation()
    @Transaction()
    @Allow(deliveryWebhookPermission.Create)
    createDeliveryWebhook(
        @Ctx() ctx: RequestContext,
        @Args() args: { input: CreateDeliveryWebhookInput },
    ): Promise<DeliveryWebhook> {
        return this.webhooks.create(ctx, args.input);
    }

    @Mutation()
    @Transaction()
    @Allow(deliveryWebhookPermission.Update)
    updateDeliveryWebhook(
        @Ctx() ctx: RequestContext,
        @Args() args: { input: UpdateDeliveryWebhookInput },
    ): Promise<DeliveryWebhook> {
        return this.webhooks.update(ctx, { ...args.input, id: entityId(args.input.id, 'DeliveryWebhook') });
    }

    @Mutation()
    @Transaction()
    @Allow(deliveryWebhookPermission.Delete)
    deleteDeliveryWebhook(@Ctx() ctx: RequestContext, @Args() args: { id: ID }): Promise<DeletionResponse> {
        return this.webhooks.delete(ctx, entityId(args.id, 'DeliveryWebhook'));
    }
}

@Resolver('DeliveryWebhook')
export class DeliveryWebhookEntityResolver {
    constructor(
        private readonly connection: TransactionalConnection,
        @Inject(DRIVER_DISPATCH_PLUGIN_OPTIONS)
        private readonly options: Pick<ResolvedDriverDispatchOptions, 'webhooks'>,
    ) {}

    @ResolveField()
    @Allow(deliveryWebhookPermission.Read)
    failing(@Parent() webhook: DeliveryWebhook): boolean {
        const { failingAfterConsecutiveFailures } = resolveWebhookOptions(this.options.webhooks);
        return webhook.consecutiveFailures >= failingAfterConsecutiveFailures;
    }

    @ResolveField()
    @Allow(deliveryWebhookPermission.Read)
    pendingEvents(@Ctx() ctx: RequestContext, @Parent() webhook: DeliveryWebhook): Promise<number> {
        return this.count(ctx, webhook.id, DeliveryWebhookMessageStatus.PENDING);
    }

    @ResolveField()
    @Allow(deliveryWebhookPermission.Read)
    failedEvents(@Ctx() ctx: RequestContext, @Parent() webhook: DeliveryWebhook): Promise<number> {
        return this.count(ctx, webhook.id, DeliveryWebhookMessageStatus.FAILED);
    }

    private count(ctx: RequestContext, webhookId: ID, status: DeliveryWebhookMessageStatus): Promise<number> {
        return this.connection
            .getRepository(ctx, DeliveryWebhookMessage)
            .count({ where: { webhookId, status } });
    }
}
