import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { UserInputError } from '@vendure/core';
import { GraphQLResolveInfo } from 'graphql';
import { Observable } from 'rxjs';

import { DISTANCE_DELIVERY_FEE_CODE } from '../config/distance-delivery-fee-calculator';
import { ConfigArgumentInput, distanceFeeArgumentsProblem } from '../config/distance-fee-bands';
import { DeliveryRuleService } from '../services/delivery-rule.service';

const SAVES_SHIPPING_METHOD = new Set(['createShippingMethod', 'updateShippingMethod']);

interface ShippingMethodMutationArgs {
    input?: { calculator?: { code?: string; arguments?: ConfigArgumentInput[] } | null };
}

/**
 * Vendure checks only that a calculator's required arguments are there. Before Vendure's own
 * `createShippingMethod` / `updateShippingMethod` resolver runs (after its permission check), this
 * refuses `distance-delivery-fee` arguments that would not price a delivery, with a UserInputError
 * saying what to fix: nothing is saved. Every other operation passes straight through.
 */
@Injectable()
export class DistanceFeeArgumentsInterceptor implements NestInterceptor {
    constructor(private readonly deliveryRule: DeliveryRuleService) {}

    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
        if (context.getType<GqlContextType>() === 'graphql') {
            const gqlContext = GqlExecutionContext.create(context);
            const info = gqlContext.getInfo<GraphQLResolveInfo>();
            if (info.parentType.name === 'Mutation' && SAVES_SHIPPING_METHOD.has(info.fieldName)) {
                const calculator = gqlContext.getArgs<ShippingMethodMutationArgs>().input?.calculator;
                if (calculator?.code === DISTANCE_DELIVERY_FEE_CODE) {
                    const problem = distanceFeeArgumentsProblem(
                        calculator.arguments ?? [],
                        this.deliveryRule.maxDistanceKm,
                    );
                    if (problem) throw new UserInputError(problem);
                }
            }
        }
        return next.handle();
    }
}
