// seller-store-info's dashboard extension: the store's point on a map on the stock location page
// (its latitude/longitude custom fields are edited in the page's own custom-fields block), the
// weekly opening-hours form there, and the seller's verification badge on the seller page.
import { defineDashboardExtension } from '@vendure/dashboard';

import { OpeningHoursInput } from './opening-hours-input';
import { SellerVerificationBlock } from './seller-verification';
import { StoreLocationMap } from './store-location-map';

defineDashboardExtension({
    // The stock location's opening hours as a weekly form (the custom field's ui.component).
    customFormComponents: {
        customFields: [{ id: 'seller-store-info.opening-hours', component: OpeningHoursInput }],
    },
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
        {
            id: 'seller-verification',
            title: 'Verification',
            location: {
                pageId: 'seller-detail',
                column: 'side',
                position: { blockId: 'main-form', order: 'after' },
            },
            component: SellerVerificationBlock,
            requiresPermission: ['ReadSeller'],
        },
    ],
});
