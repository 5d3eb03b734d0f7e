import { DeliveryEvent } from './dispatch-api';
import { StatusBadge } from './status-badge';

/** The events of one delivery, oldest first: when, from → to, why and who. */
export function DeliveryTimeline({ events }: Readonly<{ events: DeliveryEvent[] }>) {
    if (!events.length) return <div className="text-sm text-muted-foreground">No events yet.</div>;
    return (
        <ol className="space-y-2 border-l pl-4" data-testid="delivery-timeline">
            {events.map((event, index) => (
                <li key={`${event.createdAt}-${index}`} className="text-sm">
                    <div className="flex flex-wrap items-center gap-2">
                        <span className="text-muted-foreground">
                            {new Date(event.createdAt).toLocaleString()}
                        </span>
                        {event.fromStatus && <StatusBadge status={event.fromStatus} />}
                        {event.fromStatus && <span>→</span>}
                        <StatusBadge status={event.toStatus} />
                    </div>
                    <div className="text-xs text-muted-foreground">
                        {[event.reasonCode, event.note, event.actor && `by ${event.actor}`]
                            .filter(Boolean)
                            .join(' · ')}
                    </div>
                </li>
            ))}
        </ol>
    );
}
