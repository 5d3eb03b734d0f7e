import type { EmbeddedDatabase } from '../../src/runtime/embedded-postgres';
import type { RunningRedis } from './redis-server';

interface Services {
    postgres?: EmbeddedDatabase;
    redis?: RunningRedis;
}

// Global setup and teardown run in jest's parent process, in separate module registries:
// the services started by one are handed to the other on globalThis.
const key = Symbol.for('vqd.e2e.services');
type WithServices = typeof globalThis & { [key]?: Services };

export function setServices(services: Services): void {
    const global = globalThis as WithServices;
    global[key] = { ...global[key], ...services };
}

export function getServices(): Services {
    return (globalThis as WithServices)[key] ?? {};
}
