import type { ID } from '@vendure/common/lib/shared-types';

import { GEO_FIELDS } from '../constants';
import { BoolQuery } from './delivery-search-query';

/**
 * Seller verification in Elasticsearch: the shop finds nothing of an unverified seller. The
 * verification state is not indexed: the channels of unverified sellers are read when the search
 * runs and matched against each variant's indexed seller channel, so un-verifying needs no reindex.
 */
export function withoutSellers<Q extends BoolQuery>(query: Q, channelIds: readonly ID[] | undefined): Q {
    if (!channelIds?.length) return query;
    const mustNot = query.bool.must_not;
    const existing = Array.isArray(mustNot) ? mustNot : mustNot ? [mustNot] : [];
    query.bool.must_not = [...existing, { terms: { [GEO_FIELDS.sellerChannelId]: channelIds.map(String) } }];
    return query;
}
