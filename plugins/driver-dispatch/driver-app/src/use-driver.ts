import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { distanceKm } from '../../../shared/geo';
import { ActionQueue, QueuedAction } from './action-queue';
import {
    ActionResult,
    activeAssignment,
    activeDriver,
    ApiError,
    AssignmentView,
    DeliveryAction,
    DriverSelf,
    DriverStatus,
    NetworkError,
    sendAction,
} from './admin-api';
import { signalNewDelivery } from './alert';
import { ChannelState, DriverChannel } from './driver-channel';
import { Fix, LOCATION_HEARTBEAT_MS, pingDelayMs } from './location-sharing';
import { lastAssignment, lastEventId, rememberAssignment, rememberEventId } from './offline-snapshot';

export interface Notice {
    kind: 'info' | 'error';
    text: string;
}

const DONE: Record<DeliveryAction['kind'], string> = {
    pickup: 'Picked up: now take it to the customer',
    deliver: 'Delivered. Thank you!',
    decline: 'Declined: the delivery goes to another driver',
    fail: 'Reported: the office takes it from here',
};

/** The channel's largest accuracy; a worse fix is sent without it. */
const MAX_ACCURACY_M = 100_000;

function newActionId(): string {
    return typeof crypto.randomUUID === 'function'
        ? crypto.randomUUID()
        : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Everything the logged-in driver's screen shows and does: the channel (status, live assignment
 * events, pings), the current delivery, the offline queue and the connectivity banner.
 */
export function useDriver(driver: DriverSelf, signedOut: (message: string) => void) {
    const [status, setStatus] = useState<DriverStatus>(driver.status);
    const [connection, setConnection] = useState<ChannelState>('connecting');
    const [online, setOnline] = useState(navigator.onLine);
    const [assignment, setAssignment] = useState<AssignmentView | null | undefined>(() =>
        lastAssignment(driver.id),
    );
    const [notice, setNotice] = useState<Notice | null>(null);
    const [codeError, setCodeError] = useState<string | null>(null);
    const [position, setPosition] = useState<Fix | undefined>();
    const [positionProblem, setPositionProblem] = useState<string | undefined>();
    const queue = useMemo(() => new ActionQueue(window.localStorage, driver.id), [driver.id]);
    const [queued, setQueued] = useState<QueuedAction[]>(() => queue.list());
    const lastSent = useRef<Fix | undefined>(undefined);
    const latest = useRef<Fix | undefined>(undefined);
    const channelRef = useRef<DriverChannel | undefined>(undefined);

    useEffect(() => {
        if (assignment !== undefined) rememberAssignment(driver.id, assignment);
    }, [driver.id, assignment]);

    const refresh = useCallback(async () => {
        try {
            const [self, current] = await Promise.all([activeDriver(), activeAssignment()]);
            if (self) setStatus(self.status);
            setAssignment(current);
        } catch (error) {
            if (!(error instanceof NetworkError)) {
                setNotice({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
            }
        }
    }, []);

    const answered = useCallback(
        (action: DeliveryAction, result: ActionResult, replayed: boolean) => {
            if (result.__typename === 'DeliveryAssignment') {
                setCodeError(null);
                setNotice({ kind: 'info', text: DONE[action.kind] });
            } else if (result.__typename === 'DeliveryCodeError') {
                setCodeError(result.message);
            } else if (!replayed) {
                setNotice({ kind: 'error', text: result.message });
            }
            void refresh();
        },
        [refresh],
    );

    const sendQueued = useCallback(
        async (item: QueuedAction) => {
            try {
                answered(item.action, await sendAction(item.action), true);
            } catch (error) {
                if (error instanceof NetworkError) throw error;
                // A decline or failure that reached the server before the connection dropped is
                // refused when repeated (the delivery is no longer this driver's): it was done. A
                // pickup or delivery is never refused for being repeated, so there it means the
                // office gave the delivery to someone else meanwhile.
                const current = await activeAssignment().catch(() => undefined);
                const gone = current !== undefined && current?.assignmentId !== item.action.assignmentId;
                const endsIt = item.action.kind === 'decline' || item.action.kind === 'fail';
                if (gone && endsIt) {
                    setNotice({ kind: 'info', text: DONE[item.action.kind] });
                } else if (gone) {
                    setNotice({
                        kind: 'error',
                        text: 'That delivery is no longer yours: the office changed it.',
                    });
                } else {
                    setNotice({
                        kind: 'error',
                        text: error instanceof Error ? error.message : String(error),
                    });
                }
                if (current !== undefined) setAssignment(current);
            }
        },
        [answered],
    );

    const flush = useCallback(() => {
        queue
            .flush(sendQueued)
            .catch(() => undefined)
            .finally(() => setQueued(queue.list()));
    }, [queue, sendQueued]);

    const ping = useCallback((fix: Fix) => {
        const accuracy =
            fix.accuracyM !== undefined && fix.accuracyM <= MAX_ACCURACY_M ? fix.accuracyM : undefined;
        const sent = channelRef.current?.send({
            type: 'location',
            latitude: fix.latitude,
            longitude: fix.longitude,
            ...(accuracy !== undefined ? { accuracyM: accuracy } : {}),
        });
        if (sent) lastSent.current = fix;
    }, []);

    useEffect(() => {
        const channel = new DriverChannel(
            {
                state: setConnection,
                authenticated: () => {
                    void refresh();
                    flush();
                    if (latest.current) ping({ ...latest.current, at: Date.now() });
                },
                event: event => {
                    if (event.id) rememberEventId(driver.id, event.id);
                    if (
                        event.type === 'assignment.assigned' &&
                        String(event.data?.driverId) === String(driver.id)
                    ) {
                        signalNewDelivery();
                        setNotice({ kind: 'info', text: 'New delivery' });
                    }
                    void refresh();
                },
                ack: (kind, data) => {
                    if (kind === 'status' && typeof data?.status === 'string')
                        setStatus(data.status as DriverStatus);
                },
                error: (_code, message) => setNotice({ kind: 'error', text: message }),
                ended: reason =>
                    signedOut(
                        reason === 'forbidden'
                            ? 'This login may not drive (disabled or not a driver): ask the office.'
                            : 'Your session ended: log in again.',
                    ),
            },
            lastEventId(driver.id),
        );
        channelRef.current = channel;
        channel.start();
        void refresh();
        const goneOnline = () => {
            setOnline(true);
            channel.retryNow();
            if (channel.isOpen) flush();
        };
        const goneOffline = () => {
            setOnline(false);
            channel.drop();
        };
        window.addEventListener('online', goneOnline);
        window.addEventListener('offline', goneOffline);
        return () => {
            window.removeEventListener('online', goneOnline);
            window.removeEventListener('offline', goneOffline);
            channel.stop();
        };
    }, [driver.id, flush, ping, refresh, signedOut]);

    // The position is shared only while on duty or on a delivery.
    const sharing = status !== 'OFFLINE';
    useEffect(() => {
        if (!sharing) return;
        if (!('geolocation' in navigator)) {
            setPositionProblem('This browser cannot share your location.');
            return;
        }
        let pending: ReturnType<typeof setTimeout> | undefined;
        const watch = navigator.geolocation.watchPosition(
            ({ coords, timestamp }) => {
                setPositionProblem(undefined);
                const fix: Fix = {
                    latitude: coords.latitude,
                    longitude: coords.longitude,
                    accuracyM: coords.accuracy,
                    at: timestamp || Date.now(),
                };
                latest.current = fix;
                setPosition(fix);
                const moved = lastSent.current ? distanceKm(lastSent.current, fix) * 1000 : Infinity;
                const delay = pingDelayMs(lastSent.current, fix, moved);
                if (delay === 0) ping(fix);
                else if (delay !== undefined && !pending) {
                    // A move that came too soon goes out when the interval is over, as the latest fix then.
                    pending = setTimeout(() => {
                        pending = undefined;
                        if (latest.current) ping({ ...latest.current, at: Date.now() });
                    }, delay);
                }
            },
            error =>
                setPositionProblem(
                    error.code === error.PERMISSION_DENIED
                        ? 'Location is blocked: allow it for this site (it needs HTTPS outside localhost).'
                        : `No position yet: ${error.message}`,
                ),
            { enableHighAccuracy: true, maximumAge: 5_000 },
        );
        // A driver standing still still needs a heartbeat.
        const heartbeat = setInterval(() => {
            if (latest.current) ping({ ...latest.current, at: Date.now() });
        }, LOCATION_HEARTBEAT_MS);
        return () => {
            navigator.geolocation.clearWatch(watch);
            clearInterval(heartbeat);
            clearTimeout(pending);
        };
    }, [sharing, ping]);

    const setDuty = useCallback((next: 'AVAILABLE' | 'OFFLINE') => {
        const sent = channelRef.current?.send({ type: 'status', status: next });
        if (!sent)
            setNotice({ kind: 'error', text: 'Not connected: try again when the connection is back.' });
    }, []);

    const act = useCallback(
        async (action: DeliveryAction) => {
            setNotice(null);
            const id = newActionId();
            if (!navigator.onLine) {
                setQueued(queue.add(action, id));
                setNotice({ kind: 'info', text: 'Saved: it is sent as soon as you are back online.' });
                return;
            }
            try {
                answered(action, await sendAction(action), false);
            } catch (error) {
                if (error instanceof NetworkError) {
                    setQueued(queue.add(action, id));
                    setNotice({ kind: 'info', text: 'Saved: it is sent as soon as you are back online.' });
                } else {
                    setNotice({
                        kind: 'error',
                        text: error instanceof ApiError ? error.message : String(error),
                    });
                }
            }
        },
        [answered, queue],
    );

    return {
        status,
        connected: online && connection === 'open',
        assignment,
        notice,
        codeError,
        position,
        positionProblem,
        queued,
        setDuty,
        act,
    };
}
