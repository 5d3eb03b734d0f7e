import { useQuery } from '@tanstack/react-query';
import {
    DashboardRouteDefinition,
    FullWidthPageBlock,
    Page,
    PageLayout,
    PageTitle,
} from '@vendure/dashboard';
import { useCallback, useMemo, useState } from 'react';

import {
    DRIVER_STATUSES,
    fetchAssignments,
    fetchDrivers,
    fetchMapTiles,
    fetchStores,
    OPEN_DELIVERY_STATUSES,
} from './dispatch-api';
import { DispatchMap } from './dispatch-map';
import { DispatchEvent, DriverLocationEvent, isDriverLocation } from './event-stream';
import { NotAllowed, useDispatchAbilities } from './permissions';
import { STATUS_COLOURS } from './status-badge';
import { DISPATCH_QUERY_KEY, POLL_INTERVAL_MS, useLiveDispatch } from './use-live-dispatch';

/** The map shows the whole fleet; Vendure's admin list limit is 1000 items. */
const FLEET_LIMIT = 1000;

function LiveMapPage() {
    const abilities = useDispatchAbilities();
    const tiles = useQuery({ queryKey: ['map-tiles'], queryFn: fetchMapTiles, staleTime: Infinity });
    const drivers = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'map-drivers'],
        queryFn: () => fetchDrivers({}, false, FLEET_LIMIT),
        enabled: abilities.readDrivers,
        refetchInterval: POLL_INTERVAL_MS,
    });
    const stores = useQuery({
        queryKey: ['map-stores'],
        queryFn: fetchStores,
        enabled: abilities.readStores,
        refetchInterval: 60_000,
    });
    const deliveries = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'map-deliveries', abilities.readOrders],
        queryFn: () =>
            fetchAssignments({ statuses: OPEN_DELIVERY_STATUSES, take: 500 }, abilities.readOrders),
        enabled: abilities.readDeliveries,
        refetchInterval: POLL_INTERVAL_MS,
    });
    // Positions from the stream, newer than the last poll; dropped when the next poll arrives.
    const [live, setLive] = useState<{ at: number; positions: Record<string, DriverLocationEvent> }>({
        at: 0,
        positions: {},
    });
    const onEvent = useCallback((event: DispatchEvent) => {
        if (event.type === 'driver.location' && isDriverLocation(event.data)) {
            const data = event.data;
            setLive(previous => ({
                at: Date.now(),
                positions: { ...previous.positions, [String(data.driverId)]: data },
            }));
        }
    }, []);
    const mode = useLiveDispatch(onEvent);

    const fleet = useMemo(() => {
        const items = drivers.data?.items ?? [];
        if (live.at < drivers.dataUpdatedAt) return items;
        return items.map(driver => {
            const position = live.positions[driver.id];
            return position
                ? { ...driver, latitude: position.latitude, longitude: position.longitude }
                : driver;
        });
    }, [drivers.data, drivers.dataUpdatedAt, live]);

    if (!abilities.readDrivers) return <NotAllowed permission="ReadDriver" />;
    const counts = DRIVER_STATUSES.map(status => ({
        status,
        count: fleet.filter(driver => driver.status === status).length,
    }));

    return (
        <Page pageId="dispatch-live-map">
            <PageTitle>Live map</PageTitle>
            <PageLayout>
                <FullWidthPageBlock blockId="live-map">
                    <div className="mb-3 flex flex-wrap items-center gap-4 text-sm">
                        {counts.map(({ status, count }) => (
                            <span
                                key={status}
                                className="flex items-center gap-1"
                                data-testid={`legend-${status}`}
                            >
                                <span
                                    style={{ background: STATUS_COLOURS[status] }}
                                    className="inline-block h-3 w-3 rounded-full"
                                />
                                {status} {count}
                            </span>
                        ))}
                        <span className="flex items-center gap-1">
                            <span className="inline-block h-3 w-3 rounded-sm bg-slate-900" /> store
                        </span>
                        <span>{deliveries.data?.items.length ?? 0} open deliveries</span>
                        <span className="ml-auto text-muted-foreground" data-testid="live-mode">
                            {mode === 'live' ? 'Live' : `Refreshing every ${POLL_INTERVAL_MS / 1000} s`}
                        </span>
                    </div>
                    {tiles.data && (
                        <DispatchMap
                            tiles={tiles.data}
                            drivers={fleet}
                            stores={stores.data ?? []}
                            deliveries={deliveries.data?.items ?? []}
                        />
                    )}
                </FullWidthPageBlock>
            </PageLayout>
        </Page>
    );
}

export const liveMapRoute: DashboardRouteDefinition = {
    path: '/dispatch/map',
    navMenuItem: {
        sectionId: 'delivery',
        id: 'dispatch-map',
        url: '/dispatch/map',
        title: 'Live map',
        requiresPermission: ['ReadDriver'],
    },
    loader: () => ({ breadcrumb: 'Live map' }),
    component: () => <LiveMapPage />,
};
