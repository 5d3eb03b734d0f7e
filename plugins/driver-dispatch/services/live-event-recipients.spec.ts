import { DispatchLiveEvent } from '../api/dispatch-live-events';
import { LiveEventAudience } from './live-event-audience';
import { LiveEventRecipients } from './live-event-recipients';

interface Client {
    name: string;
    audience: LiveEventAudience;
}

const nobody: LiveEventAudience = {
    driverId: null,
    allAssignments: false,
    assignmentChannelIds: [],
    fleet: false,
};
const dispatcher: Client = { name: 'dispatcher', audience: { ...nobody, allAssignments: true, fleet: true } };
const seller: Client = { name: 'seller', audience: { ...nobody, assignmentChannelIds: ['2'] } };
const driverOne: Client = { name: 'driver one', audience: { ...nobody, driverId: '1' } };
const driverOneAgain: Client = { name: 'driver one, second phone', audience: { ...nobody, driverId: '1' } };
const driverTwo: Client = { name: 'driver two', audience: { ...nobody, driverId: '2' } };

const location: DispatchLiveEvent = {
    type: 'driver.location',
    data: { driverId: '1', latitude: 41.88, longitude: -87.63, at: '2026-01-01T00:00:00.000Z' },
};
function assigned(driverId: string | null): DispatchLiveEvent {
    return {
        type: 'assignment.assigned',
        channelIds: ['1', '2'],
        data: {
            assignmentId: '9',
            orderId: '7',
            driverId,
            status: 'ASSIGNED',
            fromStatus: 'PENDING',
            reasonCode: null,
            correlationId: 'c',
            at: '2026-01-01T00:00:00.000Z',
        },
    } as DispatchLiveEvent;
}

function names(recipients: LiveEventRecipients<Client>, event: DispatchLiveEvent): string[] {
    return [...recipients.of(event)].map(client => client.name).sort();
}

describe('LiveEventRecipients (an event visits only the clients it may concern)', () => {
    const recipients = new LiveEventRecipients<Client>();
    for (const client of [dispatcher, seller, driverOne, driverOneAgain, driverTwo]) recipients.add(client);

    it('gives positions to the fleet readers only, not to the connected drivers', () => {
        expect(names(recipients, location)).toEqual(['dispatcher']);
    });

    it("gives an assignment event to the staff who read assignments and to that driver's connections, each once", () => {
        expect(names(recipients, assigned('1'))).toEqual([
            'dispatcher',
            'driver one',
            'driver one, second phone',
            'seller',
        ]);
        expect(names(recipients, assigned(null))).toEqual(['dispatcher', 'seller']);
    });

    it('gives the internal driver.revoked to nobody', () => {
        expect(names(recipients, { type: 'driver.revoked', data: { driverId: '1' } })).toEqual([]);
    });

    it('forgets a removed client, and re-indexes one whose audience changed', () => {
        const changing: Client = { name: 'changing', audience: { ...nobody, fleet: true } };
        recipients.add(changing);
        recipients.remove(driverOneAgain);
        expect(names(recipients, assigned('1'))).toEqual(['dispatcher', 'driver one', 'seller']);
        recipients.remove(changing);
        changing.audience = { ...nobody, allAssignments: true };
        recipients.add(changing);
        expect(names(recipients, location)).toEqual(['dispatcher']);
        expect(names(recipients, assigned('2'))).toEqual(['changing', 'dispatcher', 'driver two', 'seller']);
    });
});
