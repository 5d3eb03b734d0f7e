import { DriverSelf } from './admin-api';
import { DeliveryCard } from './delivery-card';
import { useDriver } from './use-driver';

interface Props {
    driver: DriverSelf;
    signedOut(message: string): void;
    logOut(): void;
}

const STATUS_TEXT = { AVAILABLE: 'On duty', BUSY: 'On a delivery', OFFLINE: 'Off duty' } as const;

/** The logged-in driver: connection, duty, position, and the delivery they are on. */
export function DriverScreen({ driver, signedOut, logOut }: Readonly<Props>) {
    const state = useDriver(driver, signedOut);
    const { status, assignment, position } = state;
    return (
        <main>
            {!state.connected && (
                <div className="banner" role="status" data-testid="offline-banner">
                    No connection: reconnecting…
                    {state.queued.length > 0 && ` ${state.queued.length} action(s) waiting to be sent.`}
                </div>
            )}
            <header className="top">
                <div>
                    <h1>{driver.name}</h1>
                    <p className="status" data-testid="driver-status" data-status={status}>
                        {STATUS_TEXT[status]}
                    </p>
                </div>
                <button className="button link" onClick={logOut}>
                    Log out
                </button>
            </header>
            {status === 'OFFLINE' && (
                <button
                    className="button primary"
                    disabled={!state.connected}
                    onClick={() => state.setDuty('AVAILABLE')}
                >
                    Go on duty
                </button>
            )}
            {status === 'AVAILABLE' && (
                <button
                    className="button secondary"
                    disabled={!state.connected}
                    onClick={() => state.setDuty('OFFLINE')}
                >
                    Go off duty
                </button>
            )}
            <p className="position" data-testid="position">
                {state.positionProblem ??
                    (position
                        ? `Sharing your position (±${Math.round(position.accuracyM ?? 0)} m)`
                        : status === 'OFFLINE'
                          ? 'Your position is shared only while you are on duty.'
                          : 'Waiting for your position…')}
            </p>
            {state.notice && (
                <p
                    className={state.notice.kind === 'error' ? 'error' : 'info'}
                    role="alert"
                    data-testid="notice"
                >
                    {state.notice.text}
                </p>
            )}
            {assignment && (
                <DeliveryCard
                    key={assignment.assignmentId}
                    assignment={assignment}
                    position={position}
                    codeError={state.codeError}
                    act={state.act}
                />
            )}
            {assignment === null && status !== 'OFFLINE' && (
                <p className="waiting">No delivery yet: new ones appear here.</p>
            )}
        </main>
    );
}
