import path from 'node:path';

/** The simulation's own drivers: never the demo's (the demo fleet moves those inside the server). */
export const SIM_DRIVER_PASSWORD = 'sim-driver';
export const SIM_DRIVER_DOMAIN = 'simulation.example';

export function simDriverEmail(index: number): string {
    return `sim-driver-${String(index + 1).padStart(4, '0')}@${SIM_DRIVER_DOMAIN}`;
}

export function simDriverName(index: number): string {
    return `Sim Driver ${String(index + 1).padStart(4, '0')}`;
}

/** A session `npm run drivers:seed` made for a driver, so the simulator need not log them in. */
export interface SeededSession {
    emailAddress: string;
    token: string;
}

/** Where `drivers:seed` writes the sessions and `simulate` looks for them: beside the demo's data. */
export function defaultSessionsFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
    return path.resolve(cwd, env.DATA_DIR?.trim() || 'data', 'simulation', 'driver-sessions.json');
}
