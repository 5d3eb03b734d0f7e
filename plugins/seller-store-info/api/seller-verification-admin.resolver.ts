import { Args, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, ID, Permission, RequestContext, Seller, Transaction } from '@vendure/core';

import { verifySellerPermission } from '../constants';
import { SellerVerificationService } from '../services/seller-verification.service';

@Resolver()
export class SellerVerificationAdminResolver {
    constructor(private readonly verification: SellerVerificationService) {}

    @Mutation()
    @Transaction()
    @Allow(verifySellerPermission.Permission)
    verifySeller(@Ctx() ctx: RequestContext, @Args() args: { sellerId: ID }) {
        return this.verification.verify(ctx, args.sellerId);
    }

    @Mutation()
    @Transaction()
    @Allow(verifySellerPermission.Permission)
    unverifySeller(@Ctx() ctx: RequestContext, @Args() args: { sellerId: ID; reason: string }) {
        return this.verification.unverify(ctx, args.sellerId, args.reason);
    }
}

/** `Seller.verified` and its companions; whoever may read the seller may read these. */
@Resolver('Seller')
export class SellerVerificationFieldsResolver {
    constructor(private readonly verification: SellerVerificationService) {}

    @ResolveField()
    @Allow(Permission.Authenticated)
    verified(@Ctx() ctx: RequestContext, @Parent() seller: Seller): Promise<boolean> {
        return this.verification.isVerified(ctx, seller);
    }

    @ResolveField()
    @Allow(Permission.Authenticated)
    verificationChangedAt(@Parent() seller: Seller): Date | null {
        return seller.customFields?.verificationChangedAt ?? null;
    }

    @ResolveField()
    @Allow(Permission.Authenticated)
    verificationChangedBy(@Parent() seller: Seller): string | null {
        return seller.customFields?.verificationChangedBy ?? null;
    }

    @ResolveField()
    @Allow(Permission.Authenticated)
    unverifiedReason(@Parent() seller: Seller): string | null {
        return seller.customFields?.unverifiedReason ?? null;
    }
}

@Resolver('VerifySellerResult')
export class VerifySellerResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'Seller';
    }
}

@Resolver('UnverifySellerResult')
export class UnverifySellerResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'Seller';
    }
}
