import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import { DispatchEvent, readDispatchEvents } from './event-stream';

/** Every dispatch query of the extension starts with this key, so one event refreshes them all. */
export const DISPATCH_QUERY_KEY = 'driver-dispatch';

/** How often the pages poll the admin API: the fallback when the event stream is not there. */
export const POLL_INTERVAL_MS = 5000;

export type LiveMode = 'connecting' | 'live' | 'polling';

/**
 * Listens to /dispatch/events while the page is open: assignment and driver-status events refresh
 * the dispatch queries at once (at most once a second), every event is passed to `onEvent`
 * (the map moves markers on `driver.location`). Without the stream (404, not allowed) the pages
 * rely on polling alone; a dropped stream is retried with a growing pause.
 */
export function useLiveDispatch(onEvent?: (event: DispatchEvent) => void): LiveMode {
    const queryClient = useQueryClient();
    const [mode, setMode] = useState<LiveMode>('connecting');
    const onEventRef = useRef(onEvent);
    onEventRef.current = onEvent;

    useEffect(() => {
        const controller = new AbortController();
        let refreshTimer: ReturnType<typeof setTimeout> | undefined;
        const refreshSoon = () => {
            if (refreshTimer) return;
            refreshTimer = setTimeout(() => {
                refreshTimer = undefined;
                void queryClient.invalidateQueries({ queryKey: [DISPATCH_QUERY_KEY] });
            }, 1000);
        };
        const handle = (event: DispatchEvent) => {
            if (event.type.startsWith('assignment.') || event.type === 'driver.status') refreshSoon();
            onEventRef.current?.(event);
        };
        const run = async () => {
            let pause = 2000;
            while (!controller.signal.aborted) {
                try {
                    const end = await readDispatchEvents(handle, controller.signal, () => {
                        setMode('live');
                        pause = 2000;
                    });
                    if (end === 'unavailable') {
                        setMode('polling');
                        return;
                    }
                } catch {
                    if (controller.signal.aborted) return;
                }
                setMode('polling');
                await new Promise(resolve => setTimeout(resolve, pause));
                pause = Math.min(pause * 2, 60_000);
            }
        };
        void run();
        return () => {
            controller.abort();
            if (refreshTimer) clearTimeout(refreshTimer);
        };
    }, [queryClient]);

    return mode;
}
