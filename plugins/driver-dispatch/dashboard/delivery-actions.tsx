import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input } from '@vendure/dashboard';
import { useState } from 'react';
import { toast } from 'sonner';

import {
    cancelDelivery,
    confirmAsStaff,
    DeliveryActionResult,
    DeliveryAssignment,
    fetchDrivers,
    reassignDelivery,
    retryDelivery,
} from './dispatch-api';
import { useDispatchAbilities } from './permissions';
import { DISPATCH_QUERY_KEY } from './use-live-dispatch';

type Panel = 'none' | 'reassign' | 'cancel';

/**
 * Staff actions on one delivery (ManageDispatch): while it is open, reassign (automatically, or to
 * a driver chosen from the available ones), cancel with a reason, and confirm pickup or delivery as
 * staff; once it FAILED, retry it (PENDING again, dispatched without the drivers who failed it).
 */
export function DeliveryActions({ assignment }: Readonly<{ assignment: DeliveryAssignment }>) {
    const abilities = useDispatchAbilities();
    const queryClient = useQueryClient();
    const [panel, setPanel] = useState<Panel>('none');
    const [driverId, setDriverId] = useState('');
    const [reason, setReason] = useState('');
    const [busy, setBusy] = useState(false);
    const available = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'available-drivers'],
        queryFn: () => fetchDrivers({ status: 'AVAILABLE' }, false, 200),
        enabled: panel === 'reassign' && abilities.readDrivers,
    });

    if (!abilities.manageDispatch) return null;
    const open = ['PENDING', 'ASSIGNED', 'PICKED_UP'].includes(assignment.status);
    const failed = assignment.status === 'FAILED';
    if (!open && !failed) return null;

    const run = async (label: string, action: () => Promise<DeliveryActionResult>) => {
        setBusy(true);
        try {
            const result = await action();
            if (result.__typename === 'DeliveryAssignment') {
                toast.success(`${label}: ${result.status ?? 'done'}`);
                setPanel('none');
                setReason('');
            } else {
                toast.error(result.message ?? `${label} was refused`);
            }
        } catch (error) {
            toast.error(error instanceof Error ? error.message : String(error));
        } finally {
            setBusy(false);
            await queryClient.invalidateQueries({ queryKey: [DISPATCH_QUERY_KEY] });
        }
    };

    if (failed) {
        return (
            <div className="flex flex-wrap gap-2" data-testid={`delivery-actions-${assignment.id}`}>
                <Button
                    size="sm"
                    variant="outline"
                    disabled={busy}
                    onClick={() => void run('Retried', () => retryDelivery(assignment.id))}
                >
                    Retry delivery
                </Button>
            </div>
        );
    }

    return (
        <div className="flex flex-col gap-2" data-testid={`delivery-actions-${assignment.id}`}>
            <div className="flex flex-wrap gap-2">
                {assignment.status !== 'PICKED_UP' && (
                    <Button
                        size="sm"
                        variant="outline"
                        disabled={busy}
                        onClick={() => setPanel(panel === 'reassign' ? 'none' : 'reassign')}
                    >
                        Reassign
                    </Button>
                )}
                <Button
                    size="sm"
                    variant="outline"
                    disabled={busy}
                    onClick={() => setPanel(panel === 'cancel' ? 'none' : 'cancel')}
                >
                    Cancel delivery
                </Button>
                {assignment.status === 'ASSIGNED' && (
                    <Button
                        size="sm"
                        variant="ghost"
                        disabled={busy}
                        onClick={() =>
                            void run('Pickup confirmed', () => confirmAsStaff(assignment.id, 'pickup'))
                        }
                    >
                        Confirm pickup
                    </Button>
                )}
                {assignment.status === 'PICKED_UP' && (
                    <Button
                        size="sm"
                        variant="ghost"
                        disabled={busy}
                        onClick={() =>
                            void run('Delivery confirmed', () => confirmAsStaff(assignment.id, 'delivery'))
                        }
                    >
                        Confirm delivery
                    </Button>
                )}
            </div>
            {panel === 'reassign' && (
                <div className="flex flex-wrap items-center gap-2">
                    <select
                        aria-label="Driver"
                        className="h-8 rounded-md border bg-background px-2 text-sm"
                        value={driverId}
                        onChange={event => setDriverId(event.target.value)}
                    >
                        <option value="">Automatic (nearest available driver)</option>
                        {(available.data?.items ?? [])
                            .filter(driver => driver.id !== assignment.driver?.id)
                            .map(driver => (
                                <option key={driver.id} value={driver.id}>
                                    {driver.name}
                                </option>
                            ))}
                    </select>
                    <Button
                        size="sm"
                        disabled={busy}
                        onClick={() =>
                            void run('Reassigned', () => reassignDelivery(assignment.id, driverId || null))
                        }
                    >
                        Reassign now
                    </Button>
                </div>
            )}
            {panel === 'cancel' && (
                <div className="flex flex-wrap items-center gap-2">
                    <Input
                        aria-label="Reason"
                        className="h-8 w-64"
                        placeholder="Reason (shown in the delivery's events)"
                        value={reason}
                        onChange={event => setReason(event.target.value)}
                    />
                    <Button
                        size="sm"
                        variant="destructive"
                        disabled={busy || !reason.trim()}
                        onClick={() =>
                            void run('Cancelled', () => cancelDelivery(assignment.id, reason.trim()))
                        }
                    >
                        Cancel with reason
                    </Button>
                </div>
            )}
        </div>
    );
}
