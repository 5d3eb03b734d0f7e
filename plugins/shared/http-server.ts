import { Server } from 'node:http';

/**
 * Runs `listener` as soon as the HTTP server starts closing, before Node waits for its open
 * connections: long-lived ones (event streams, WebSockets) must end then, or `close()` would wait
 * for them (and Apollo's drain, in the GraphQL module's onModuleDestroy, cuts them after 10 s).
 */
export function whenServerCloses(server: Server, listener: () => void): void {
    const close = server.close.bind(server);
    server.close = (callback?: (error?: Error) => void) => {
        listener();
        return close(callback);
    };
}
