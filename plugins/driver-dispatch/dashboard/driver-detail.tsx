import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import {
    Button,
    DashboardRouteDefinition,
    Input,
    Label,
    Page,
    PageActionBar,
    PageBlock,
    PageLayout,
    PageTitle,
} from '@vendure/dashboard';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';

import { DeliveryActions } from './delivery-actions';
import { DeliveryTimeline } from './delivery-timeline';
import {
    createDriver,
    deleteDriver,
    DeliveryAssignment,
    Driver,
    fetchAssignments,
    fetchDriver,
    fetchMapTiles,
    MapTiles,
    updateDriver,
} from './dispatch-api';
import { DispatchMap } from './dispatch-map';
import { NotAllowed, orderPath, useDispatchAbilities } from './permissions';
import { formatPosition, StatusBadge, timeAgo } from './status-badge';
import { DISPATCH_QUERY_KEY, POLL_INTERVAL_MS } from './use-live-dispatch';

/** How many of the latest deliveries are searched for this driver's recent ones. */
const RECENT_WINDOW = 200;

function Field({ id, label, children }: Readonly<{ id: string; label: string; children: React.ReactNode }>) {
    return (
        <div className="flex flex-col gap-1">
            <Label htmlFor={id}>{label}</Label>
            {children}
        </div>
    );
}

/**
 * The link staff hand to the driver: the web app this server serves at /driver/ (the dashboard is
 * served by the same server, so its origin is the server's). The driver logs in with the email
 * and password of their driver login.
 */
function DriverAppLink() {
    const url = `${window.location.origin}/driver/`;
    const copy = () => {
        navigator.clipboard
            ?.writeText(url)
            .then(() => toast.success('Link copied'))
            .catch(() => toast.error('Copy the link by hand'));
    };
    return (
        <div className="flex flex-col gap-2 text-sm">
            <a
                href={url}
                target="_blank"
                rel="noreferrer"
                className="break-all underline"
                data-testid="driver-app-link"
            >
                {url}
            </a>
            <span className="text-muted-foreground">
                Hand this link to the driver: they open it on their phone and log in with their email and
                password. Outside localhost it needs HTTPS (location sharing and offline use).
            </span>
            <Button variant="outline" onClick={copy}>
                Copy link
            </Button>
        </div>
    );
}

function NewDriverPage() {
    const abilities = useDispatchAbilities();
    const navigate = useNavigate();
    const [form, setForm] = useState({ name: '', phoneNumber: '', emailAddress: '', password: '' });
    const [saving, setSaving] = useState(false);
    if (!abilities.createDrivers) return <NotAllowed permission="CreateDriver" />;
    const valid = form.name.trim() && form.emailAddress.trim() && form.password.length >= 8;
    const submit = async () => {
        setSaving(true);
        try {
            const created = await createDriver({
                name: form.name.trim(),
                phoneNumber: form.phoneNumber.trim() || null,
                emailAddress: form.emailAddress.trim(),
                password: form.password,
            });
            toast.success('Driver created');
            await navigate({ to: '/drivers/$id', params: { id: created.id } });
        } catch (error) {
            toast.error(error instanceof Error ? error.message : String(error));
        } finally {
            setSaving(false);
        }
    };
    const set = (key: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement>) =>
        setForm({ ...form, [key]: event.target.value });
    return (
        <Page pageId="driver-detail">
            <PageTitle>New driver</PageTitle>
            <PageActionBar>
                <Button disabled={!valid || saving} onClick={() => void submit()}>
                    Create
                </Button>
            </PageActionBar>
            <PageLayout>
                <PageBlock column="main" blockId="driver-form" title="Driver">
                    <div className="grid gap-4 md:grid-cols-2">
                        <Field id="driver-name" label="Name">
                            <Input id="driver-name" value={form.name} onChange={set('name')} />
                        </Field>
                        <Field id="driver-phone" label="Phone number">
                            <Input id="driver-phone" value={form.phoneNumber} onChange={set('phoneNumber')} />
                        </Field>
                        <Field id="driver-email" label="Email address (the driver's login)">
                            <Input
                                id="driver-email"
                                type="email"
                                value={form.emailAddress}
                                onChange={set('emailAddress')}
                            />
                        </Field>
                        <Field id="driver-password" label="Password (at least 8 characters)">
                            <Input
                                id="driver-password"
                                type="password"
                                autoComplete="new-password"
                                value={form.password}
                                onChange={set('password')}
                            />
                        </Field>
                    </div>
                </PageBlock>
            </PageLayout>
        </Page>
    );
}

/** The driver's page once loaded: the editing state lives here, the blocks sit directly in the layout. */
function DriverDetailView({
    driver,
    deliveries,
    tiles,
}: Readonly<{ driver: Driver; deliveries: DeliveryAssignment[]; tiles: MapTiles | undefined }>) {
    const abilities = useDispatchAbilities();
    const queryClient = useQueryClient();
    const navigate = useNavigate();
    const [name, setName] = useState(driver.name);
    const [phone, setPhone] = useState(driver.phoneNumber ?? '');
    const [saving, setSaving] = useState(false);
    useEffect(() => {
        setName(driver.name);
        setPhone(driver.phoneNumber ?? '');
    }, [driver.id, driver.name, driver.phoneNumber]);

    const save = async (input: Parameters<typeof updateDriver>[0], message: string) => {
        setSaving(true);
        try {
            await updateDriver(input);
            toast.success(message);
        } catch (error) {
            toast.error(error instanceof Error ? error.message : String(error));
        } finally {
            setSaving(false);
            await queryClient.invalidateQueries({ queryKey: [DISPATCH_QUERY_KEY] });
        }
    };
    const remove = async () => {
        if (!window.confirm(`Delete ${driver.name} and their login?`)) return;
        const result = await deleteDriver(driver.id).catch((error: unknown) => {
            toast.error(error instanceof Error ? error.message : String(error));
            return undefined;
        });
        if (result?.result === 'DELETED') {
            toast.success('Driver deleted');
            await navigate({ to: '/drivers' });
        } else if (result) {
            toast.error(result.message ?? 'The driver was not deleted');
        }
    };
    const dirty = name.trim() !== driver.name || (phone.trim() || null) !== driver.phoneNumber;

    return (
        <Page pageId="driver-detail" entity={driver}>
            <PageTitle>{driver.name}</PageTitle>
            <PageActionBar>
                {abilities.updateDrivers && (
                    <Button
                        disabled={!dirty || !name.trim() || saving}
                        onClick={() =>
                            void save(
                                { id: driver.id, name: name.trim(), phoneNumber: phone.trim() || null },
                                'Saved',
                            )
                        }
                    >
                        Update
                    </Button>
                )}
                {abilities.deleteDrivers && (
                    <Button variant="destructive" onClick={() => void remove()}>
                        Delete
                    </Button>
                )}
            </PageActionBar>
            <PageLayout>
                <PageBlock column="main" blockId="driver-form" title="Driver">
                    <div className="grid gap-4 md:grid-cols-2">
                        <Field id="driver-name" label="Name">
                            <Input
                                id="driver-name"
                                value={name}
                                disabled={!abilities.updateDrivers}
                                onChange={event => setName(event.target.value)}
                            />
                        </Field>
                        <Field id="driver-phone" label="Phone number">
                            <Input
                                id="driver-phone"
                                value={phone}
                                disabled={!abilities.updateDrivers}
                                onChange={event => setPhone(event.target.value)}
                            />
                        </Field>
                        <Field id="driver-email" label="Email address (login)">
                            <Input id="driver-email" value={driver.emailAddress} disabled />
                        </Field>
                    </div>
                </PageBlock>
                <PageBlock column="side" blockId="driver-status" title="Status">
                    <div className="flex flex-col gap-3">
                        <div className="flex items-center gap-2">
                            <StatusBadge status={driver.status} />
                            <span className="text-sm text-muted-foreground">
                                last seen {timeAgo(driver.lastSeenAt)}
                            </span>
                        </div>
                        {abilities.updateDrivers && driver.enabled && driver.status === 'OFFLINE' && (
                            <Button
                                variant="outline"
                                disabled={saving}
                                onClick={() =>
                                    void save({ id: driver.id, status: 'AVAILABLE' }, 'On duty (AVAILABLE)')
                                }
                            >
                                Set AVAILABLE
                            </Button>
                        )}
                        {abilities.updateDrivers && driver.status === 'AVAILABLE' && (
                            <Button
                                variant="outline"
                                disabled={saving}
                                onClick={() =>
                                    void save({ id: driver.id, status: 'OFFLINE' }, 'Off duty (OFFLINE)')
                                }
                            >
                                Set OFFLINE
                            </Button>
                        )}
                        <div
                            className="flex items-center gap-2 border-t pt-3"
                            data-testid="driver-enabled"
                            data-enabled={String(driver.enabled)}
                        >
                            <span className="text-sm">
                                {driver.enabled
                                    ? 'Login enabled'
                                    : 'Disabled: their sessions are revoked and no driver operation works'}
                            </span>
                        </div>
                        {abilities.updateDrivers && driver.enabled && (
                            <Button
                                variant="destructive"
                                disabled={saving}
                                onClick={() =>
                                    void save({ id: driver.id, enabled: false }, 'Driver disabled')
                                }
                            >
                                Disable driver
                            </Button>
                        )}
                        {abilities.updateDrivers && !driver.enabled && (
                            <Button
                                variant="outline"
                                disabled={saving}
                                onClick={() => void save({ id: driver.id, enabled: true }, 'Driver enabled')}
                            >
                                Enable driver
                            </Button>
                        )}
                        {driver.status === 'BUSY' && (
                            <span className="text-xs text-muted-foreground">
                                BUSY belongs to dispatch: the driver is free again when the delivery ends.
                            </span>
                        )}
                    </div>
                </PageBlock>
                <PageBlock column="side" blockId="driver-app" title="Driver app">
                    <DriverAppLink />
                </PageBlock>
                <PageBlock column="side" blockId="driver-position" title="Position">
                    <div className="mb-2 text-sm">{formatPosition(driver.latitude, driver.longitude)}</div>
                    {tiles && driver.latitude != null && (
                        <DispatchMap
                            tiles={tiles}
                            drivers={[driver]}
                            stores={[]}
                            deliveries={[]}
                            height={220}
                        />
                    )}
                </PageBlock>
                {abilities.readDeliveries && (
                    <PageBlock column="main" blockId="driver-deliveries" title="Recent deliveries">
                        {deliveries.length === 0 && (
                            <div className="text-sm text-muted-foreground">No recent deliveries.</div>
                        )}
                        <div className="space-y-6">
                            {deliveries.map(delivery => (
                                <div
                                    key={delivery.id}
                                    className="space-y-2 border-b pb-4"
                                    data-testid="driver-delivery"
                                >
                                    <div className="flex flex-wrap items-center gap-2">
                                        <StatusBadge status={delivery.status} />
                                        {delivery.order ? (
                                            <Link
                                                to={orderPath(delivery.order)}
                                                className="font-medium hover:underline"
                                            >
                                                {delivery.order.code}
                                            </Link>
                                        ) : (
                                            <span className="font-medium">Delivery {delivery.id}</span>
                                        )}
                                        <span className="text-sm text-muted-foreground">
                                            from {delivery.pickupStockLocation?.name ?? 'unknown store'},{' '}
                                            {timeAgo(delivery.createdAt)}
                                        </span>
                                    </div>
                                    <DeliveryTimeline events={delivery.events ?? []} />
                                    <DeliveryActions assignment={delivery} />
                                </div>
                            ))}
                        </div>
                    </PageBlock>
                )}
            </PageLayout>
        </Page>
    );
}

function DriverDetailPage({ id }: Readonly<{ id: string }>) {
    const abilities = useDispatchAbilities();
    const driver = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'driver', id, abilities.readOrders],
        queryFn: () => fetchDriver(id, abilities.readOrders),
        enabled: abilities.readDrivers,
        refetchInterval: POLL_INTERVAL_MS,
    });
    const tiles = useQuery({ queryKey: ['map-tiles'], queryFn: fetchMapTiles, staleTime: Infinity });
    const recent = useQuery({
        queryKey: [DISPATCH_QUERY_KEY, 'driver-deliveries', id, abilities.readOrders],
        queryFn: () => fetchAssignments({ take: RECENT_WINDOW, withEvents: true }, abilities.readOrders),
        enabled: abilities.readDeliveries,
        refetchInterval: POLL_INTERVAL_MS,
    });
    if (!abilities.readDrivers) return <NotAllowed permission="ReadDriver" />;
    if (driver.isPending) return <div className="p-6">Loading…</div>;
    if (!driver.data) return <div className="p-6">No driver with id {id}.</div>;
    const current = driver.data;
    const deliveries = (recent.data?.items ?? []).filter(item => item.driver?.id === current.id).slice(0, 10);
    return <DriverDetailView driver={current} deliveries={deliveries} tiles={tiles.data} />;
}

export const driverDetailRoute: DashboardRouteDefinition = {
    path: '/drivers/$id',
    loader: ({ params }: { params: { id: string } }) => ({
        breadcrumb: [{ path: '/drivers', label: 'Drivers' }, params.id === 'new' ? 'New driver' : 'Driver'],
    }),
    component: route => {
        const params: { id: string } = route.useParams();
        const id = params.id;
        return id === 'new' ? <NewDriverPage /> : <DriverDetailPage id={id} />;
    },
};
