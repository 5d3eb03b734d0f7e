import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
    Button,
    DashboardRouteDefinition,
    FullWidthPageBlock,
    Input,
    Label,
    Page,
    PageLayout,
    PageTitle,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableHeader,
    TableRow,
    usePermissions,
} from '@vendure/dashboard';
import { useState } from 'react';
import { toast } from 'sonner';

import { NotAllowed } from './permissions';
import { timeAgo } from './status-badge';
import { POLL_INTERVAL_MS } from './use-live-dispatch';
import {
    createWebhook,
    deleteWebhook,
    DeliveryWebhook,
    fetchWebhooks,
    setWebhookEnabled,
    updateWebhook,
    WEBHOOK_EVENT_TYPES,
    WebhookEventType,
} from './webhooks-api';

const QUERY_KEY = ['driver-dispatch', 'delivery-webhooks'];

function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/**
 * An endpoint's URL, secret (sent, never shown again) and the events it wants: a new one, or
 * `editing` one (its secret left blank keeps the current one).
 */
function WebhookForm({
    editing,
    onDone,
}: Readonly<{ editing?: DeliveryWebhook; onDone: (saved: boolean) => void }>) {
    const [url, setUrl] = useState(editing?.url ?? '');
    const [secret, setSecret] = useState('');
    const [events, setEvents] = useState<WebhookEventType[]>(
        editing?.events ?? WEBHOOK_EVENT_TYPES.map(({ type }) => type),
    );
    const [saving, setSaving] = useState(false);
    const submit = async () => {
        setSaving(true);
        try {
            if (editing) {
                await updateWebhook({
                    id: editing.id,
                    url: url.trim(),
                    events,
                    ...(secret ? { secret } : {}),
                });
                toast.success(
                    secret ? 'Webhook endpoint saved, with its new secret' : 'Webhook endpoint saved',
                );
            } else {
                await createWebhook({ url: url.trim(), secret, events });
                toast.success('Webhook endpoint added');
                setUrl('');
            }
            setSecret('');
            onDone(true);
        } catch (error) {
            toast.error(message(error));
        } finally {
            setSaving(false);
        }
    };
    const toggle = (type: WebhookEventType) =>
        setEvents(events.includes(type) ? events.filter(value => value !== type) : [...events, type]);
    const prefix = editing ? 'edit-webhook' : 'webhook';
    const secretOk = editing ? secret.length === 0 || secret.length >= 16 : secret.length >= 16;
    return (
        <div
            className="mb-6 space-y-3 rounded-md border p-4"
            data-testid={editing ? 'edit-webhook' : 'add-webhook'}
        >
            {editing && <div className="text-sm font-medium">Edit endpoint</div>}
            <div className="grid gap-3 md:grid-cols-2">
                <div className="flex flex-col gap-1">
                    <Label htmlFor={`${prefix}-url`}>Endpoint URL</Label>
                    <Input
                        id={`${prefix}-url`}
                        placeholder="https://shop.example.com/hooks/delivery"
                        value={url}
                        maxLength={2000}
                        onChange={event => setUrl(event.target.value)}
                    />
                </div>
                <div className="flex flex-col gap-1">
                    <Label htmlFor={`${prefix}-secret`}>
                        {editing
                            ? 'New signing secret (blank keeps the current one; the old one stops signing at once)'
                            : 'Signing secret (16 to 128 characters, not shown again)'}
                    </Label>
                    <Input
                        id={`${prefix}-secret`}
                        type="password"
                        autoComplete="new-password"
                        value={secret}
                        maxLength={128}
                        onChange={event => setSecret(event.target.value)}
                    />
                </div>
            </div>
            <fieldset className="flex flex-wrap gap-4 text-sm">
                <legend className="mb-1 text-sm font-medium">Events</legend>
                {WEBHOOK_EVENT_TYPES.map(({ type, label }) => (
                    <label key={type} className="flex items-center gap-1">
                        <input
                            type="checkbox"
                            checked={events.includes(type)}
                            onChange={() => toggle(type)}
                        />
                        {label}
                    </label>
                ))}
            </fieldset>
            <div className="space-x-2">
                <Button
                    disabled={saving || !url.trim() || !secretOk || events.length === 0}
                    onClick={() => void submit()}
                >
                    {editing ? 'Save endpoint' : 'Add endpoint'}
                </Button>
                {editing && (
                    <Button variant="outline" onClick={() => onDone(false)}>
                        Cancel
                    </Button>
                )}
            </div>
        </div>
    );
}

function HealthCell({ webhook }: Readonly<{ webhook: DeliveryWebhook }>) {
    if (!webhook.enabled) return <span className="text-muted-foreground">disabled</span>;
    if (webhook.failing) {
        return (
            <div className="text-red-600" data-testid="webhook-failing">
                <div className="font-medium">
                    Failing: {webhook.consecutiveFailures} failed attempts in a row
                </div>
                <div className="text-xs" data-testid="webhook-last-error">
                    {webhook.lastError} · {timeAgo(webhook.lastFailureAt)}
                </div>
            </div>
        );
    }
    return (
        <span className="text-green-700" data-testid="webhook-ok">
            {webhook.lastSuccessAt
                ? `OK · last delivered ${timeAgo(webhook.lastSuccessAt)}`
                : 'OK · nothing sent yet'}
        </span>
    );
}

function WebhooksPage() {
    const { hasPermissions } = usePermissions();
    const canRead = hasPermissions(['ReadDeliveryWebhook']);
    const canCreate = hasPermissions(['CreateDeliveryWebhook']);
    const canUpdate = hasPermissions(['UpdateDeliveryWebhook']);
    const canDelete = hasPermissions(['DeleteDeliveryWebhook']);
    const queryClient = useQueryClient();
    const [editing, setEditing] = useState<DeliveryWebhook | undefined>();
    const webhooks = useQuery({
        queryKey: QUERY_KEY,
        queryFn: fetchWebhooks,
        enabled: canRead,
        refetchInterval: POLL_INTERVAL_MS,
    });
    if (!canRead) return <NotAllowed permission="ReadDeliveryWebhook" />;
    const refresh = () => void queryClient.invalidateQueries({ queryKey: QUERY_KEY });
    const run = async (action: () => Promise<unknown>, done: string) => {
        try {
            await action();
            toast.success(done);
            refresh();
        } catch (error) {
            toast.error(message(error));
        }
    };
    return (
        <Page pageId="delivery-webhooks">
            <PageTitle>Delivery webhooks</PageTitle>
            <PageLayout>
                <FullWidthPageBlock blockId="delivery-webhooks">
                    <p className="mb-4 text-sm text-muted-foreground">
                        The delivery events of this channel are POSTed as signed JSON to these endpoints
                        (header X-Delivery-Signature; see the plugin README). Failed attempts are retried with
                        backoff; an endpoint that keeps failing is shown in red and stays enabled until you
                        disable it.
                    </p>
                    {editing ? (
                        <WebhookForm
                            key={editing.id}
                            editing={editing}
                            onDone={saved => {
                                setEditing(undefined);
                                if (saved) refresh();
                            }}
                        />
                    ) : (
                        canCreate && <WebhookForm onDone={refresh} />
                    )}
                    <Table data-testid="webhooks-table">
                        <TableHeader>
                            <TableRow>
                                <TableHead>Endpoint</TableHead>
                                <TableHead>Events</TableHead>
                                <TableHead>Health</TableHead>
                                <TableHead>Pending / failed events</TableHead>
                                <TableHead />
                            </TableRow>
                        </TableHeader>
                        <TableBody>
                            {(webhooks.data ?? []).map(webhook => (
                                <TableRow
                                    key={webhook.id}
                                    data-testid="webhook-row"
                                    data-url={webhook.url}
                                    data-failing={webhook.failing ? 'true' : 'false'}
                                    className={
                                        webhook.failing && webhook.enabled ? 'bg-red-50 dark:bg-red-950' : ''
                                    }
                                >
                                    <TableCell className="max-w-md break-all font-mono text-xs">
                                        {webhook.url}
                                    </TableCell>
                                    <TableCell className="text-xs">
                                        {webhook.events
                                            .map(
                                                type =>
                                                    WEBHOOK_EVENT_TYPES.find(entry => entry.type === type)
                                                        ?.label ?? type,
                                            )
                                            .join(', ')}
                                    </TableCell>
                                    <TableCell>
                                        <HealthCell webhook={webhook} />
                                    </TableCell>
                                    <TableCell>
                                        {webhook.pendingEvents} / {webhook.failedEvents}
                                    </TableCell>
                                    <TableCell className="space-x-2 text-right">
                                        {canUpdate && (
                                            <Button
                                                variant="outline"
                                                size="sm"
                                                onClick={() => setEditing(webhook)}
                                            >
                                                Edit
                                            </Button>
                                        )}
                                        {canUpdate && (
                                            <Button
                                                variant="outline"
                                                size="sm"
                                                onClick={() =>
                                                    void run(
                                                        () => setWebhookEnabled(webhook.id, !webhook.enabled),
                                                        webhook.enabled
                                                            ? 'Endpoint disabled'
                                                            : 'Endpoint enabled',
                                                    )
                                                }
                                            >
                                                {webhook.enabled ? 'Disable' : 'Enable'}
                                            </Button>
                                        )}
                                        {canDelete && (
                                            <Button
                                                variant="outline"
                                                size="sm"
                                                onClick={() => {
                                                    if (
                                                        window.confirm(
                                                            'Delete this endpoint? Events not yet delivered are dropped.',
                                                        )
                                                    ) {
                                                        void run(
                                                            () => deleteWebhook(webhook.id),
                                                            'Endpoint deleted',
                                                        );
                                                    }
                                                }}
                                            >
                                                Delete
                                            </Button>
                                        )}
                                    </TableCell>
                                </TableRow>
                            ))}
                        </TableBody>
                    </Table>
                    {webhooks.data?.length === 0 && (
                        <div className="mt-2 text-sm text-muted-foreground">No endpoints yet.</div>
                    )}
                    {webhooks.isError && (
                        <div className="mt-2 text-sm text-destructive">{message(webhooks.error)}</div>
                    )}
                </FullWidthPageBlock>
            </PageLayout>
        </Page>
    );
}

export const webhooksRoute: DashboardRouteDefinition = {
    path: '/delivery-webhooks',
    navMenuItem: {
        sectionId: 'delivery',
        id: 'delivery-webhooks',
        url: '/delivery-webhooks',
        title: 'Webhooks',
        requiresPermission: ['ReadDeliveryWebhook'],
    },
    loader: () => ({ breadcrumb: 'Delivery webhooks' }),
    component: () => <WebhooksPage />,
};
