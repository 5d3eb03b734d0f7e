import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Button, PageContextValue } from '@vendure/dashboard';
import { useState } from 'react';
import { toast } from 'sonner';

import { DeliveryActions } from './delivery-actions';
import { DeliveryTimeline } from './delivery-timeline';
import { fetchAssignmentForOrder, markOrderReady } from './dispatch-api';
import { useDispatchAbilities } from './permissions';
import { DelayedBadge, formatPosition, isDelayedNow, StatusBadge } from './status-badge';
import { DISPATCH_QUERY_KEY, POLL_INTERVAL_MS } from './use-live-dispatch';

interface OrderEntity {
    id: string;
    code: string;
    state: string;
    sellerOrders?: Array<{ id: string; code: string }> | null;
}

/** Orders in this state can be handed to a driver (driver-dispatch: paid in full). */
const READY_STATES = ['PaymentSettled'];

/**
 * The delivery panel on an order's page: status, driver, the timeline of events, the staff actions,
 * and "Mark ready for dispatch" while the order can ship and has no delivery yet. An aggregate
 * order of a marketplace ships per seller order: the panel links to them.
 */
export function OrderDeliveryPanel({ context }: Readonly<{ context: PageContextValue }>) {
    const order = context.entity as OrderEntity | undefined;
    const abilities = useDispatchAbilities();
    const queryClient = useQueryClient();
    const [busy, setBusy] = useState(false);
    const sellerOrders = order?.sellerOrders ?? [];
    const delivery = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'order-delivery', order?.id],
        queryFn: () => fetchAssignmentForOrder(order?.id ?? ''),
        enabled: !!order?.id && sellerOrders.length === 0,
        refetchInterval: POLL_INTERVAL_MS,
    });
    if (!order) return null;

    if (sellerOrders.length) {
        return (
            <div className="space-y-2 text-sm" data-testid="order-delivery-panel">
                <div className="text-muted-foreground">Each seller order is delivered on its own:</div>
                <ul className="space-y-1">
                    {sellerOrders.map(sellerOrder => (
                        <li key={sellerOrder.id}>
                            <Link
                                to={`/orders/${order.id}/seller-orders/${sellerOrder.id}`}
                                className="font-medium hover:underline"
                            >
                                {sellerOrder.code}
                            </Link>
                        </li>
                    ))}
                </ul>
            </div>
        );
    }

    const markReady = async () => {
        setBusy(true);
        try {
            const result = await markOrderReady(order.id);
            if (result.__typename === 'DeliveryAssignment') toast.success('Ready for dispatch');
            else toast.error(result.message ?? 'The order is not ready for dispatch');
        } catch (error) {
            toast.error(error instanceof Error ? error.message : String(error));
        } finally {
            setBusy(false);
            await queryClient.invalidateQueries({ queryKey: [DISPATCH_QUERY_KEY] });
        }
    };

    const assignment = delivery.data;
    if (delivery.isPending) return <div className="text-sm text-muted-foreground">Loading…</div>;
    if (delivery.isError) return <div className="text-sm text-destructive">{String(delivery.error)}</div>;
    if (!assignment) {
        const canShip = READY_STATES.includes(order.state);
        return (
            <div className="space-y-2 text-sm" data-testid="order-delivery-panel">
                <div className="text-muted-foreground">No delivery yet.</div>
                {abilities.manageDispatch && canShip && (
                    <Button disabled={busy} onClick={() => void markReady()}>
                        Mark ready for dispatch
                    </Button>
                )}
                {abilities.manageDispatch && !canShip && (
                    <div className="text-xs text-muted-foreground">
                        It can be dispatched once its payment is settled (now {order.state}).
                    </div>
                )}
            </div>
        );
    }
    return (
        <div className="space-y-3 text-sm" data-testid="order-delivery-panel" data-status={assignment.status}>
            <div className="flex items-center gap-2">
                <StatusBadge status={assignment.status} />
                {isDelayedNow(assignment) && <DelayedBadge status={assignment.status} />}
                {assignment.attempts > 0 && (
                    <span className="text-muted-foreground">attempts {assignment.attempts}</span>
                )}
            </div>
            <div>
                Driver:{' '}
                {assignment.driver ? (
                    abilities.readDrivers ? (
                        <Link
                            to="/drivers/$id"
                            params={{ id: assignment.driver.id }}
                            className="hover:underline"
                        >
                            {assignment.driver.name}
                        </Link>
                    ) : (
                        assignment.driver.name
                    )
                ) : (
                    <span className="text-muted-foreground">none yet</span>
                )}
            </div>
            <div className="text-muted-foreground">
                From {assignment.pickupStockLocation?.name ?? 'unknown store'} to{' '}
                {formatPosition(assignment.dropoffLatitude, assignment.dropoffLongitude)}
            </div>
            {assignment.lastError && <div className="text-xs text-red-600">{assignment.lastError}</div>}
            <DeliveryTimeline events={assignment.events ?? []} />
            <DeliveryActions assignment={assignment} />
        </div>
    );
}
