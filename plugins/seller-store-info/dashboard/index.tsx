// seller-store-info's dashboard extension: the store's point on a map on the stock location page
// (its latitude/longitude custom fields are edited in the page's own custom-fields block).
import { defineDashboardExtension } from '@vendure/dashboard';

import { StoreLocationMap } from './store-location-map';

defineDashboardExtension({
    pageBlocks: [
        {
            id: 'store-location-map',
            title: 'Location',
            location: {
                pageId: 'stock-location-detail',
                column: 'side',
                position: { blockId: 'main-form', order: 'after' },
            },
            component: StoreLocationMap,
            requiresPermission: ['ReadStockLocation'],
        },
    ],
});
