// driver-dispatch's dashboard extension: a "Delivery" section with the drivers, the live map and
// the dispatch board, the delivery webhooks, the delivery panel on order pages and the delivery insights widget. See the plugin README (Dashboard).
import { defineDashboardExtension } from '@vendure/dashboard';
import { Truck } from 'lucide-react';

import { DeliveryInsightsWidget } from './delivery-insights';
import { dispatchBoardRoute } from './dispatch-board';
import { driverDetailRoute } from './driver-detail';
import { driversListRoute } from './drivers-list';
import { liveMapRoute } from './live-map';
import { OrderDeliveryPanel } from './order-delivery-panel';
import { webhooksRoute } from './webhooks-page';

defineDashboardExtension({
    navSections: [{ id: 'delivery', title: 'Delivery', icon: Truck, order: 250 }],
    routes: [driversListRoute, driverDetailRoute, liveMapRoute, dispatchBoardRoute, webhooksRoute],
    // On the Insights page, over the page's own date range (the dispatch board has the same block).
    widgets: [
        {
            id: 'delivery-insights',
            name: 'Delivery insights',
            component: DeliveryInsightsWidget,
            defaultSize: { w: 12, h: 10 },
            minSize: { w: 6, h: 8 },
            requiresPermissions: ['ManageDispatch'],
        },
    ],
    // A single-shop order and a marketplace's seller order have the same panel.
    pageBlocks: ['order-detail', 'seller-order-detail'].map(pageId => ({
        id: 'delivery-panel',
        title: 'Delivery',
        location: {
            pageId,
            column: 'side' as const,
            position: { blockId: 'state', order: 'after' as const },
        },
        component: OrderDeliveryPanel,
        requiresPermission: ['ManageDispatch', 'ReadOrder'],
    })),
});
