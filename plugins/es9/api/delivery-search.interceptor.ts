import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { internal_getRequestContext } from '@vendure/core';
import { GraphQLResolveInfo } from 'graphql';
import { Observable } from 'rxjs';

import { DeliverySearchScopeService } from '../services/delivery-search-scope.service';

/**
 * Runs before the community plugin's `search` resolver (shop and admin API) and resolves the
 * delivery location of its input, which `mapQuery` and `mapSort` then read synchronously. Every
 * other operation passes straight through.
 */
@Injectable()
export class DeliverySearchInterceptor implements NestInterceptor {
    constructor(private readonly scopeService: DeliverySearchScopeService) {}

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
        if (context.getType<GqlContextType>() === 'graphql') {
            const gqlContext = GqlExecutionContext.create(context);
            const info = gqlContext.getInfo<GraphQLResolveInfo>();
            if (info.parentType.name === 'Query' && info.fieldName === 'search') {
                const { input } = gqlContext.getArgs<{ input?: object }>();
                const req = gqlContext.getContext<{
                    req?: Parameters<typeof internal_getRequestContext>[0];
                }>().req;
                if (input && req) {
                    await this.scopeService.prepare(internal_getRequestContext(req, context), input);
                }
            }
        }
        return next.handle();
    }
}
