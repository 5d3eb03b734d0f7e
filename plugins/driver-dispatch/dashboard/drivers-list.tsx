import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import {
    Button,
    DashboardRouteDefinition,
    FullWidthPageBlock,
    Input,
    Page,
    PageActionBar,
    PageLayout,
    PageTitle,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableHeader,
    TableRow,
} from '@vendure/dashboard';
import { useState } from 'react';

import { DRIVER_STATUSES, DriverStatus, fetchDrivers } from './dispatch-api';
import { NotAllowed, orderPath, useDispatchAbilities } from './permissions';
import { StatusBadge, timeAgo } from './status-badge';
import { DISPATCH_QUERY_KEY, POLL_INTERVAL_MS } from './use-live-dispatch';

const PAGE_SIZE = 50;

function DriversListPage() {
    const abilities = useDispatchAbilities();
    const [status, setStatus] = useState<DriverStatus | ''>('');
    const [name, setName] = useState('');
    const [page, setPage] = useState(0);
    const drivers = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'drivers', status, name, page, abilities.readOrders],
        queryFn: () =>
            fetchDrivers(
                { status: status || undefined, name },
                abilities.readOrders,
                PAGE_SIZE,
                page * PAGE_SIZE,
            ),
        enabled: abilities.readDrivers,
        refetchInterval: POLL_INTERVAL_MS,
        placeholderData: previous => previous,
    });
    if (!abilities.readDrivers) return <NotAllowed permission="ReadDriver" />;
    const total = drivers.data?.totalItems ?? 0;

    return (
        <Page pageId="driver-list">
            <PageTitle>Drivers</PageTitle>
            <PageActionBar>
                {abilities.createDrivers && (
                    <Button nativeButton={false} render={<Link to="/drivers/$id" params={{ id: 'new' }} />}>
                        New driver
                    </Button>
                )}
            </PageActionBar>
            <PageLayout>
                <FullWidthPageBlock blockId="driver-list">
                    <div className="mb-4 flex flex-wrap items-center gap-2">
                        <Input
                            aria-label="Search by name"
                            placeholder="Search by name"
                            className="w-64"
                            value={name}
                            onChange={event => {
                                setName(event.target.value);
                                setPage(0);
                            }}
                        />
                        <select
                            aria-label="Status"
                            className="h-9 rounded-md border bg-background px-2 text-sm"
                            value={status}
                            onChange={event => {
                                setStatus(event.target.value as DriverStatus | '');
                                setPage(0);
                            }}
                        >
                            <option value="">All statuses</option>
                            {DRIVER_STATUSES.map(value => (
                                <option key={value} value={value}>
                                    {value}
                                </option>
                            ))}
                        </select>
                        <span className="text-sm text-muted-foreground" data-testid="driver-count">
                            {total} drivers
                        </span>
                    </div>
                    <Table data-testid="drivers-table">
                        <TableHeader>
                            <TableRow>
                                <TableHead>Name</TableHead>
                                <TableHead>Status</TableHead>
                                <TableHead>Last seen</TableHead>
                                <TableHead>Current assignment</TableHead>
                                <TableHead>Phone</TableHead>
                            </TableRow>
                        </TableHeader>
                        <TableBody>
                            {(drivers.data?.items ?? []).map(driver => (
                                <TableRow key={driver.id} data-testid="driver-row">
                                    <TableCell>
                                        <Link
                                            to="/drivers/$id"
                                            params={{ id: driver.id }}
                                            className="font-medium hover:underline"
                                        >
                                            {driver.name}
                                        </Link>
                                    </TableCell>
                                    <TableCell>
                                        <StatusBadge status={driver.status} />
                                        {!driver.enabled && (
                                            <span className="ml-2 text-xs text-destructive">disabled</span>
                                        )}
                                    </TableCell>
                                    <TableCell title={driver.lastSeenAt ?? ''}>
                                        {timeAgo(driver.lastSeenAt)}
                                    </TableCell>
                                    <TableCell>
                                        {driver.activeAssignment ? (
                                            <span className="flex items-center gap-2">
                                                <StatusBadge status={driver.activeAssignment.status} />
                                                {driver.activeAssignment.order ? (
                                                    <Link
                                                        to={orderPath(driver.activeAssignment.order)}
                                                        className="hover:underline"
                                                    >
                                                        {driver.activeAssignment.order.code}
                                                    </Link>
                                                ) : (
                                                    `Delivery ${driver.activeAssignment.id}`
                                                )}
                                            </span>
                                        ) : (
                                            <span className="text-muted-foreground">none</span>
                                        )}
                                    </TableCell>
                                    <TableCell>{driver.phoneNumber ?? ''}</TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                    {drivers.isError && (
                        <div className="mt-2 text-sm text-destructive">{String(drivers.error)}</div>
                    )}
                    {total > PAGE_SIZE && (
                        <div className="mt-4 flex items-center gap-2">
                            <Button
                                variant="outline"
                                size="sm"
                                disabled={page === 0}
                                onClick={() => setPage(page - 1)}
                            >
                                Previous
                            </Button>
                            <span className="text-sm">
                                Page {page + 1} of {Math.ceil(total / PAGE_SIZE)}
                            </span>
                            <Button
                                variant="outline"
                                size="sm"
                                disabled={(page + 1) * PAGE_SIZE >= total}
                                onClick={() => setPage(page + 1)}
                            >
                                Next
                            </Button>
                        </div>
                    )}
                </FullWidthPageBlock>
            </PageLayout>
        </Page>
    );
}

export const driversListRoute: DashboardRouteDefinition = {
    path: '/drivers',
    navMenuItem: {
        sectionId: 'delivery',
        id: 'drivers',
        url: '/drivers',
        title: 'Drivers',
        requiresPermission: ['ReadDriver'],
    },
    loader: () => ({ breadcrumb: 'Drivers' }),
    component: () => <DriversListPage />,
};
