import { DispatchLiveEvent } from '../api/dispatch-live-events';
import { LiveEventAudience } from './live-event-audience';

/**
 * The open live clients by what they may receive, so that an event visits only the clients it
 * may concern instead of every open connection: a city's pings give thousands of
 * `driver.location` events per second, and thousands of drivers are connected, each receiving
 * only their own assignment events. `mayReceive` still decides for each client visited.
 */
export class LiveEventRecipients<C extends { audience: LiveEventAudience }> {
    /** Staff with the fleet (`driver.location`, `driver.status`). */
    private readonly fleet = new Set<C>();
    /** Staff who see every delivery, or those of some channels (a seller's). */
    private readonly assignmentReaders = new Set<C>();
    /** Drivers, by driver id: their own assignment events. */
    private readonly drivers = new Map<string, Set<C>>();

    /** Indexes a client by its audience; call {@link remove} before its audience changes. */
    add(client: C): void {
        const { audience } = client;
        if (audience.fleet) this.fleet.add(client);
        if (audience.allAssignments || audience.assignmentChannelIds.length > 0)
            this.assignmentReaders.add(client);
        if (audience.driverId != null) {
            const own = this.drivers.get(audience.driverId) ?? new Set<C>();
            own.add(client);
            this.drivers.set(audience.driverId, own);
        }
    }

    remove(client: C): void {
        this.fleet.delete(client);
        this.assignmentReaders.delete(client);
        const driverId = client.audience.driverId;
        const own = driverId == null ? undefined : this.drivers.get(driverId);
        if (driverId != null && own) {
            own.delete(client);
            if (own.size === 0) this.drivers.delete(driverId);
        }
    }

    /** The clients that may receive `event`, each once. */
    *of(event: DispatchLiveEvent): Iterable<C> {
        switch (event.type) {
            case 'driver.location':
            case 'driver.status':
                yield* this.fleet;
                return;
            case 'driver.revoked':
                return;
            default: {
                yield* this.assignmentReaders;
                const driverId = event.data.driverId;
                for (const client of driverId == null ? [] : (this.drivers.get(driverId) ?? [])) {
                    if (!this.assignmentReaders.has(client)) yield client;
                }
            }
        }
    }
}
