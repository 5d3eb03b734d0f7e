import { FormEvent, useCallback, useEffect, useState } from 'react';

import { activeDriver, ApiError, DriverSelf, login, logout, NetworkError } from './admin-api';
import { unlockSound } from './alert';
import { DriverScreen } from './driver-screen';
import { forget, lastDriver, rememberDriver } from './offline-snapshot';

type Session =
    { kind: 'loading' } | { kind: 'login'; message?: string } | { kind: 'driver'; driver: DriverSelf };

/** Who is using the app: nobody yet (the login form) or a driver. */
export function App() {
    const [session, setSession] = useState<Session>({ kind: 'loading' });

    const whoAmI = useCallback(async (): Promise<Session> => {
        try {
            const driver = await activeDriver();
            if (driver) {
                rememberDriver(driver);
                return { kind: 'driver', driver };
            }
            forget();
            await logout().catch(() => undefined);
            return {
                kind: 'login',
                message: 'This login is not a driver’s: use the login the office gave you.',
            };
        } catch (error) {
            if (error instanceof NetworkError) {
                // Opened without a connection: the driver who was logged in, until the server answers.
                const known = lastDriver();
                if (known) return { kind: 'driver', driver: known };
                return { kind: 'login', message: 'The server cannot be reached.' };
            }
            forget();
            return { kind: 'login' };
        }
    }, []);

    useEffect(() => {
        void whoAmI().then(setSession);
    }, [whoAmI]);

    const signedOut = useCallback((message: string) => {
        forget();
        setSession({ kind: 'login', message });
    }, []);
    const logOut = useCallback(() => {
        forget();
        void logout()
            .catch(() => undefined)
            .then(() => setSession({ kind: 'login' }));
    }, []);

    if (session.kind === 'loading') return <p className="waiting">Loading…</p>;
    if (session.kind === 'driver')
        return <DriverScreen driver={session.driver} signedOut={signedOut} logOut={logOut} />;
    return <LoginForm message={session.message} loggedIn={() => void whoAmI().then(setSession)} />;
}

function LoginForm({ message, loggedIn }: Readonly<{ message?: string; loggedIn(): void }>) {
    const [email, setEmail] = useState('');
    const [password, setPassword] = useState('');
    const [problem, setProblem] = useState<string | undefined>(message);
    const [busy, setBusy] = useState(false);
    const submit = async (event: FormEvent) => {
        event.preventDefault();
        unlockSound();
        setBusy(true);
        setProblem(undefined);
        try {
            await login(email.trim(), password);
            loggedIn();
        } catch (error) {
            setProblem(
                error instanceof NetworkError
                    ? 'The server cannot be reached: check your connection.'
                    : error instanceof ApiError && error.code === 'InvalidCredentialsError'
                      ? 'Wrong email or password.'
                      : String(error instanceof Error ? error.message : error),
            );
        } finally {
            setBusy(false);
        }
    };
    return (
        <main>
            <h1>Driver login</h1>
            <form className="card" onSubmit={event => void submit(event)}>
                <label htmlFor="email">Email</label>
                <input
                    id="email"
                    type="email"
                    autoComplete="username"
                    required
                    maxLength={254}
                    value={email}
                    onChange={event => setEmail(event.target.value)}
                />
                <label htmlFor="password">Password</label>
                <input
                    id="password"
                    type="password"
                    autoComplete="current-password"
                    required
                    maxLength={200}
                    value={password}
                    onChange={event => setPassword(event.target.value)}
                />
                {problem && (
                    <p className="error" role="alert">
                        {problem}
                    </p>
                )}
                <button className="button primary" type="submit" disabled={busy}>
                    Log in
                </button>
            </form>
        </main>
    );
}
