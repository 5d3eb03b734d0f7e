import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import {
    api,
    Button,
    DashboardRouteDefinition,
    FullWidthPageBlock,
    Input,
    Page,
    PageLayout,
    PageTitle,
} from '@vendure/dashboard';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';

import { DeliveryActions } from './delivery-actions';
import { DeliveryInsightsBlock } from './delivery-insights';
import {
    CLOSED_DELIVERY_STATUSES,
    DeliveryAssignment,
    DeliveryStatus,
    fetchAssignments,
    markOrderReady,
    OPEN_DELIVERY_STATUSES,
} from './dispatch-api';
import { NotAllowed, orderPath, useDispatchAbilities } from './permissions';
import { age, DelayedBadge, isDelayedNow, StatusBadge } from './status-badge';
import { DISPATCH_QUERY_KEY, POLL_INTERVAL_MS, useLiveDispatch } from './use-live-dispatch';

const COLUMNS: Array<{ title: string; statuses: DeliveryStatus[] }> = [
    { title: 'Pending', statuses: ['PENDING'] },
    { title: 'Assigned', statuses: ['ASSIGNED'] },
    { title: 'Picked up', statuses: ['PICKED_UP'] },
    { title: 'Finished (latest)', statuses: CLOSED_DELIVERY_STATUSES },
];

function AssignmentCard({ assignment, now }: Readonly<{ assignment: DeliveryAssignment; now: number }>) {
    // The plugin's pendingAlertAfterSeconds / deliveryAlertAfterMinutes, through delayedAfter.
    const overdue = isDelayedNow(assignment, now);
    return (
        <div
            className={`space-y-2 rounded-md border p-3 text-sm ${overdue ? 'border-red-500 bg-red-50 dark:bg-red-950' : ''}`}
            data-testid="assignment-card"
            data-assignment-id={assignment.id}
            data-order-code={assignment.order?.code ?? ''}
            data-status={assignment.status}
            data-overdue={overdue ? 'true' : 'false'}
        >
            <div className="flex items-center justify-between gap-2">
                {assignment.order ? (
                    <Link to={orderPath(assignment.order)} className="font-medium hover:underline">
                        {assignment.order.code}
                    </Link>
                ) : (
                    <span className="font-medium">Delivery {assignment.id}</span>
                )}
                <StatusBadge status={assignment.status} />
            </div>
            {overdue && <DelayedBadge status={assignment.status} />}
            <div className="text-muted-foreground">
                ref {assignment.deliveryReference} · age {age(assignment.createdAt, now)} · attempts{' '}
                {assignment.attempts}
            </div>
            <div>
                {assignment.driver ? (
                    <Link to="/drivers/$id" params={{ id: assignment.driver.id }} className="hover:underline">
                        {assignment.driver.name}
                    </Link>
                ) : (
                    <span className="text-muted-foreground">no driver</span>
                )}
                {assignment.pickupStockLocation && (
                    <span className="text-muted-foreground">
                        {' '}
                        · from {assignment.pickupStockLocation.name}
                    </span>
                )}
            </div>
            {assignment.lastError && <div className="text-xs text-red-600">{assignment.lastError}</div>}
            <DeliveryActions assignment={assignment} />
        </div>
    );
}

/** Marks an order ready by its code, for staff who have the code but not the order page open. */
function MarkReadyForm() {
    const [code, setCode] = useState('');
    const [busy, setBusy] = useState(false);
    const queryClient = useQueryClient();
    const submit = async () => {
        setBusy(true);
        try {
            const found = await api.query<{ orders: { items: Array<{ id: string }> } }>(
                'query ($code: String!) { orders(options: { filter: { code: { eq: $code } }, take: 1 }) { items { id } } }',
                { code: code.trim() },
            );
            const order = found.orders.items[0];
            if (!order) {
                toast.error(`No order with code ${code.trim()}`);
                return;
            }
            const result = await markOrderReady(order.id);
            if (result.__typename === 'DeliveryAssignment') {
                toast.success(`Ready for dispatch: ${result.status ?? ''}`);
                setCode('');
            } else {
                toast.error(result.message ?? 'The order is not ready for dispatch');
            }
        } catch (error) {
            toast.error(error instanceof Error ? error.message : String(error));
        } finally {
            setBusy(false);
            await queryClient.invalidateQueries({ queryKey: [DISPATCH_QUERY_KEY] });
        }
    };
    return (
        <div className="flex items-center gap-2">
            <Input
                aria-label="Order code"
                placeholder="Order code"
                className="h-8 w-56"
                value={code}
                onChange={event => setCode(event.target.value)}
            />
            <Button size="sm" disabled={busy || !code.trim()} onClick={() => void submit()}>
                Mark ready for dispatch
            </Button>
        </div>
    );
}

function DispatchBoardPage() {
    const abilities = useDispatchAbilities();
    const open = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'board-open', abilities.readOrders],
        queryFn: () =>
            fetchAssignments({ statuses: OPEN_DELIVERY_STATUSES, take: 500 }, abilities.readOrders),
        enabled: abilities.readDeliveries,
        refetchInterval: POLL_INTERVAL_MS,
    });
    const closed = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'board-closed', abilities.readOrders],
        queryFn: () =>
            fetchAssignments({ statuses: CLOSED_DELIVERY_STATUSES, take: 20 }, abilities.readOrders),
        enabled: abilities.readDeliveries,
        refetchInterval: POLL_INTERVAL_MS,
    });
    const mode = useLiveDispatch();
    const [now, setNow] = useState(Date.now());
    useEffect(() => {
        const timer = setInterval(() => setNow(Date.now()), 1000);
        return () => clearInterval(timer);
    }, []);

    if (!abilities.readDeliveries) return <NotAllowed permission="ManageDispatch or ReadOrder" />;
    const all = [...(open.data?.items ?? []), ...(closed.data?.items ?? [])];

    return (
        <Page pageId="dispatch-board">
            <PageTitle>Dispatch board</PageTitle>
            <PageLayout>
                <FullWidthPageBlock blockId="dispatch-board">
                    <div className="mb-4 flex flex-wrap items-center gap-4">
                        {abilities.manageDispatch && <MarkReadyForm />}
                        <span className="ml-auto text-sm text-muted-foreground" data-testid="live-mode">
                            {mode === 'live' ? 'Live' : `Refreshing every ${POLL_INTERVAL_MS / 1000} s`}
                        </span>
                    </div>
                    {(open.isError || closed.isError) && (
                        <div className="mb-2 text-sm text-destructive">
                            {String(open.error ?? closed.error)}
                        </div>
                    )}
                    <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
                        {COLUMNS.map(column => {
                            const items = all.filter(item => column.statuses.includes(item.status));
                            return (
                                <section
                                    key={column.title}
                                    className="space-y-3"
                                    data-testid={`board-column-${column.statuses[0]}`}
                                >
                                    <h3 className="font-semibold">
                                        {column.title} ({items.length})
                                    </h3>
                                    {items.map(item => (
                                        <AssignmentCard key={item.id} assignment={item} now={now} />
                                    ))}
                                </section>
                            );
                        })}
                    </div>
                </FullWidthPageBlock>
                {abilities.manageDispatch && (
                    <FullWidthPageBlock blockId="delivery-insights">
                        <h3 className="mb-3 font-semibold">Delivery insights</h3>
                        <DeliveryInsightsBlock />
                    </FullWidthPageBlock>
                )}
            </PageLayout>
        </Page>
    );
}

export const dispatchBoardRoute: DashboardRouteDefinition = {
    path: '/dispatch/board',
    navMenuItem: {
        sectionId: 'delivery',
        id: 'dispatch-board',
        url: '/dispatch/board',
        title: 'Dispatch board',
        requiresPermission: ['ManageDispatch', 'ReadOrder'],
    },
    loader: () => ({ breadcrumb: 'Dispatch board' }),
    component: () => <DispatchBoardPage />,
};
