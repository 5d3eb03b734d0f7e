import { usePermissions } from '@vendure/dashboard';

/** What the logged-in administrator may see and do here, on the active channel. */
export interface DispatchAbilities {
    readDrivers: boolean;
    createDrivers: boolean;
    updateDrivers: boolean;
    deleteDrivers: boolean;
    manageDispatch: boolean;
    readOrders: boolean;
    /** Deliveries are readable with ManageDispatch or ReadOrder. */
    readDeliveries: boolean;
    readStores: boolean;
}

export function useDispatchAbilities(): DispatchAbilities {
    const { hasPermissions } = usePermissions();
    const manageDispatch = hasPermissions(['ManageDispatch']);
    const readOrders = hasPermissions(['ReadOrder']);
    return {
        readDrivers: hasPermissions(['ReadDriver']),
        createDrivers: hasPermissions(['CreateDriver']),
        updateDrivers: hasPermissions(['UpdateDriver']),
        deleteDrivers: hasPermissions(['DeleteDriver']),
        manageDispatch,
        readOrders,
        readDeliveries: manageDispatch || readOrders,
        readStores: hasPermissions(['ReadStockLocation']),
    };
}

export function NotAllowed({ permission }: Readonly<{ permission: string }>) {
    return (
        <div className="p-6 text-muted-foreground" data-testid="not-allowed">
            This page needs the {permission} permission.
        </div>
    );
}

/** Where an order's page is: a seller order lives under its aggregate order. */
export function orderPath(order: { id: string; aggregateOrderId?: string | null }): string {
    return order.aggregateOrderId
        ? `/orders/${order.aggregateOrderId}/seller-orders/${order.id}`
        : `/orders/${order.id}`;
}
