import { Injectable } from '@nestjs/common';
import {
    Channel,
    ChannelService,
    EntityNotFoundError,
    ID,
    idsAreEqual,
    ProductVariant,
    RequestContext,
    Seller,
    StockLocation,
    TransactionalConnection,
    UserInputError,
} from '@vendure/core';
import { In } from 'typeorm';

import { boundedText, entityId, INPUT_LIMITS } from '../../shared/input-bounds';
import { DefaultSellerAlwaysVerifiedError, SellerNotVerifiableError } from '../api/error-results';

/**
 * Marketplace seller verification: a seller is unverified until staff with `VerifySeller` verify
 * it, and nothing of an unverified seller shows in the shop. The state is read at query time
 * (never copied into a search index), so un-verifying takes effect at once. The default channel's
 * seller (the platform, or a single shop) is always verified.
 */
@Injectable()
export class SellerVerificationService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly channelService: ChannelService,
    ) {}

    /** Verifies a seller once each of its stores has coordinates and a postal code; again is a no-op. */
    async verify(ctx: RequestContext, sellerId: ID): Promise<Seller | SellerNotVerifiableError> {
        const seller = await this.sellerOrThrow(ctx, sellerId);
        if ((await this.isDefaultSeller(ctx, seller.id)) || seller.customFields.verified) return seller;
        const incomplete = await this.incompleteStore(ctx, seller.id);
        if (incomplete) return incomplete;
        return this.save(ctx, seller, { verified: true, unverifiedReason: null });
    }

    /** Un-verifies a seller, with the reason staff give; an unverified seller stays as it is. */
    async unverify(
        ctx: RequestContext,
        sellerId: ID,
        reason: string,
    ): Promise<Seller | DefaultSellerAlwaysVerifiedError> {
        const text = boundedText(reason, 'reason', INPUT_LIMITS.note).trim();
        if (!text) throw new UserInputError('reason is empty: say why the seller is un-verified');
        const seller = await this.sellerOrThrow(ctx, sellerId);
        if (await this.isDefaultSeller(ctx, seller.id)) return new DefaultSellerAlwaysVerifiedError();
        if (!seller.customFields.verified) return seller;
        return this.save(ctx, seller, { verified: false, unverifiedReason: text });
    }

    /** `Seller.verified`: the default channel's seller always is. */
    async isVerified(ctx: RequestContext, seller: Seller): Promise<boolean> {
        return (await this.isDefaultSeller(ctx, seller.id)) || !!seller.customFields?.verified;
    }

    /**
     * The channels of unverified sellers (never the default channel): what the shop hides. One
     * small query, at the time of asking.
     */
    async unverifiedSellerChannelIds(ctx: RequestContext): Promise<ID[]> {
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const channels = await this.connection.getRepository(ctx, Channel).find({
            select: { id: true },
            where: { seller: { customFields: { verified: false } } },
        });
        return channels.map(channel => channel.id).filter(id => !idsAreEqual(id, defaultChannel.id));
    }

    /** Of the given variants, those sold by an unverified seller (in one of its channels). */
    async variantsOfUnverifiedSellers(ctx: RequestContext, variantIds: readonly ID[]): Promise<ID[]> {
        if (!variantIds.length) return [];
        const hidden = await this.unverifiedSellerChannelIds(ctx);
        if (!hidden.length) return [];
        const variants = await this.connection
            .getRepository(ctx, ProductVariant)
            .createQueryBuilder('variant')
            .select('variant.id')
            .innerJoin('variant.channels', 'channel', 'channel.id IN (:...hidden)', { hidden })
            .where({ id: In([...variantIds]) })
            .getMany();
        return variants.map(variant => variant.id);
    }

    /** `deliveryAvailability` in the shop: a variant of an unverified seller is not deliverable. */
    async withoutUnverifiedSellers<T extends { productVariantId: ID; fastDelivery: boolean }>(
        ctx: RequestContext,
        answers: T[],
    ): Promise<T[]> {
        const hidden = await this.variantsOfUnverifiedSellers(
            ctx,
            answers.filter(answer => answer.fastDelivery).map(answer => answer.productVariantId),
        );
        if (!hidden.length) return answers;
        return answers.map(answer =>
            hidden.some(id => idsAreEqual(id, answer.productVariantId))
                ? { ...answer, fastDelivery: false, nearestStoreDistanceKm: null, stockLocationId: null }
                : answer,
        );
    }

    /** The first store (by id) of the seller that lacks coordinates or a postal code. */
    private async incompleteStore(
        ctx: RequestContext,
        sellerId: ID,
    ): Promise<SellerNotVerifiableError | undefined> {
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        const stores = await this.connection
            .getRepository(ctx, StockLocation)
            .createQueryBuilder('store')
            .innerJoin(
                'store.channels',
                'channel',
                'channel.sellerId = :sellerId AND channel.id <> :defaultId',
                {
                    sellerId,
                    defaultId: defaultChannel.id,
                },
            )
            .orderBy('store.id', 'ASC')
            .getMany();
        for (const store of stores) {
            const { latitude, longitude, postalCode } = store.customFields;
            const missing = [
                ...(latitude == null || longitude == null ? ['coordinates'] : []),
                ...(postalCode?.trim() ? [] : ['postal code']),
            ];
            if (missing.length) return new SellerNotVerifiableError(String(store.id), store.name, missing);
        }
        return undefined;
    }

    private async save(
        ctx: RequestContext,
        seller: Seller,
        change: { verified: boolean; unverifiedReason: string | null },
    ): Promise<Seller> {
        const repository = this.connection.getRepository(ctx, Seller);
        await repository.update(seller.id, {
            customFields: {
                ...change,
                verificationChangedAt: new Date(),
                verificationChangedBy: ctx.session?.user?.identifier ?? null,
            },
        });
        return repository.findOneOrFail({ where: { id: seller.id } });
    }

    private async sellerOrThrow(ctx: RequestContext, sellerId: ID): Promise<Seller> {
        const id = entityId(sellerId, 'seller');
        const seller = await this.connection.getRepository(ctx, Seller).findOne({ where: { id } });
        if (!seller) throw new EntityNotFoundError('Seller', id);
        return seller;
    }

    private async isDefaultSeller(ctx: RequestContext, sellerId: ID): Promise<boolean> {
        const defaultChannel = await this.channelService.getDefaultChannel(ctx);
        return defaultChannel.sellerId != null && idsAreEqual(defaultChannel.sellerId, sellerId);
    }
}
