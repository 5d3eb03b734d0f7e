import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { OrderType } from '@vendure/common/lib/generated-types';
import { EventBus, Logger, Order, OrderStateTransitionEvent, TransactionalConnection } from '@vendure/core';
import { filter } from 'rxjs/operators';

import { loggerCtx } from '../constants';
import { fromFields, toFields } from './delivery-location.service';

/**
 * Vendure copies line custom fields, not order custom fields, into seller orders: the delivery
 * location is copied from the aggregate order once a seller order is placed, so drivers, staff
 * and allocation see where it goes. After the transition's transaction, so that the order saved
 * by the transition does not overwrite it.
 */
@Injectable()
export class SellerOrderLocationService implements OnApplicationBootstrap {
    constructor(
        private readonly eventBus: EventBus,
        private readonly connection: TransactionalConnection,
    ) {}

    onApplicationBootstrap() {
        this.eventBus
            .ofType(OrderStateTransitionEvent)
            .pipe(
                filter(
                    event => event.order.type === OrderType.Seller && event.order.aggregateOrderId != null,
                ),
            )
            .subscribe(event => {
                this.copyFromAggregate(event).catch(error =>
                    Logger.error(
                        `Could not copy the delivery location to ${event.order.code}: ${String(error)}`,
                        loggerCtx,
                    ),
                );
            });
    }

    private async copyFromAggregate({ ctx, order }: OrderStateTransitionEvent): Promise<void> {
        const orders = this.connection.getRepository(ctx, Order);
        const current = await orders.findOne({ where: { id: order.id } });
        if (!current || fromFields(current.customFields)) return;
        const aggregate = await orders.findOne({ where: { id: order.aggregateOrderId } });
        const location = fromFields(aggregate?.customFields);
        if (!location) return;
        await orders.update(order.id, { customFields: toFields(location) });
    }
}
