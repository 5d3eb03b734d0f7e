import { useState } from 'react';

import { distanceKm } from '../../../shared/geo';
import { AssignmentView, DeliveryAction, FAILURE_REASONS, FailureReasonCode } from './admin-api';
import { Fix } from './location-sharing';
import { Destination, formatDistance, mapsLink } from './maps-link';

interface Props {
    assignment: AssignmentView;
    position: Fix | undefined;
    codeError: string | null;
    act(action: DeliveryAction): Promise<void>;
}

function Stop({
    title,
    to,
    address,
    position,
}: {
    title: string;
    to: Destination;
    address: string | null;
    position: Fix | undefined;
}) {
    const away = position ? formatDistance(distanceKm(position, to)) : undefined;
    return (
        <section className="stop" data-testid={`stop-${title.toLowerCase().replace(/\W+/g, '-')}`}>
            <h3>{title}</h3>
            <p className="stop-name">{to.label}</p>
            {address && <p className="stop-address">{address}</p>}
            {away && (
                <p className="stop-distance" data-testid="distance">
                    {away} away
                </p>
            )}
            <a
                className="button secondary"
                href={mapsLink(to, navigator.userAgent)}
                target="_blank"
                rel="noreferrer"
            >
                Open in maps
            </a>
        </section>
    );
}

/** The delivery the driver is on: where to go now, and what they can do about it. */
export function DeliveryCard({ assignment, position, codeError, act }: Readonly<Props>) {
    const [code, setCode] = useState('');
    const [reason, setReason] = useState('');
    const [reasonCode, setReasonCode] = useState<FailureReasonCode>('DELIVERY_FAILED');
    const [note, setNote] = useState('');
    const [busy, setBusy] = useState(false);
    const pickedUp = assignment.status === 'PICKED_UP';
    const id = assignment.assignmentId;
    const run = (action: DeliveryAction) => {
        setBusy(true);
        void act(action).finally(() => setBusy(false));
    };
    const store: Destination | undefined =
        assignment.pickupLatitude != null && assignment.pickupLongitude != null
            ? {
                  latitude: assignment.pickupLatitude,
                  longitude: assignment.pickupLongitude,
                  label: assignment.pickupStoreName,
              }
            : undefined;
    const dropoff: Destination = {
        latitude: assignment.dropoffLatitude,
        longitude: assignment.dropoffLongitude,
        label: assignment.customerFirstName ? `${assignment.customerFirstName}'s drop-off` : 'Drop-off',
    };
    return (
        <article className="card" data-testid="delivery" data-status={assignment.status}>
            <header>
                <h2>
                    Delivery <span data-testid="delivery-reference">{assignment.deliveryReference}</span>
                </h2>
                <p>
                    {assignment.itemCount} item{assignment.itemCount === 1 ? '' : 's'} ·{' '}
                    {pickedUp ? 'picked up' : 'to pick up'}
                </p>
            </header>
            {!pickedUp && store && (
                <Stop title="Pick up at" to={store} address={assignment.pickupAddress} position={position} />
            )}
            {!pickedUp && !store && <p>Pick up at {assignment.pickupStoreName}</p>}
            {pickedUp && (
                <Stop
                    title="Deliver to"
                    to={dropoff}
                    address={assignment.dropoffAddress}
                    position={position}
                />
            )}
            {pickedUp && assignment.deliveryInstructions && (
                <p className="instructions" data-testid="instructions">
                    “{assignment.deliveryInstructions}”
                </p>
            )}
            {!pickedUp && (
                <>
                    <button
                        className="button primary"
                        disabled={busy}
                        onClick={() => run({ kind: 'pickup', assignmentId: id })}
                    >
                        Picked up
                    </button>
                    <details>
                        <summary>Decline</summary>
                        <label htmlFor="decline-reason">Why (optional)</label>
                        <input
                            id="decline-reason"
                            value={reason}
                            maxLength={500}
                            onChange={event => setReason(event.target.value)}
                        />
                        <button
                            className="button danger"
                            disabled={busy}
                            onClick={() => run({ kind: 'decline', assignmentId: id, reason })}
                        >
                            Decline delivery
                        </button>
                    </details>
                </>
            )}
            {pickedUp && (
                <form
                    className="deliver"
                    onSubmit={event => {
                        event.preventDefault();
                        run({ kind: 'deliver', assignmentId: id, code: code.trim() });
                    }}
                >
                    <label htmlFor="delivery-code">The customer's code</label>
                    <input
                        id="delivery-code"
                        inputMode="numeric"
                        autoComplete="one-time-code"
                        maxLength={16}
                        value={code}
                        onChange={event => setCode(event.target.value)}
                    />
                    {codeError && (
                        <p className="error" role="alert" data-testid="code-error">
                            {codeError}
                        </p>
                    )}
                    <button className="button primary" type="submit" disabled={busy || !code.trim()}>
                        Delivered
                    </button>
                </form>
            )}
            <details>
                <summary>Could not deliver</summary>
                <label htmlFor="failure-reason">What happened</label>
                <select
                    id="failure-reason"
                    value={reasonCode}
                    onChange={event => setReasonCode(event.target.value as FailureReasonCode)}
                >
                    {Object.entries(FAILURE_REASONS).map(([value, label]) => (
                        <option key={value} value={value}>
                            {label}
                        </option>
                    ))}
                </select>
                <label htmlFor="failure-note">Note (optional)</label>
                <input
                    id="failure-note"
                    value={note}
                    maxLength={500}
                    onChange={event => setNote(event.target.value)}
                />
                <button
                    className="button danger"
                    disabled={busy}
                    onClick={() => run({ kind: 'fail', assignmentId: id, reasonCode, note })}
                >
                    Report: could not deliver
                </button>
            </details>
        </article>
    );
}
