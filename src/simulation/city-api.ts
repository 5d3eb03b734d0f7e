import { describeError } from '../../plugins/shared/errors';

/** At most `limit` requests in flight over the whole simulation: the load stays bounded. */
export class RequestLimiter {
    private active = 0;
    private readonly waiting: Array<() => void> = [];

    constructor(private readonly limit: number) {}

    async run<T>(task: () => Promise<T>): Promise<T> {
        if (this.active >= this.limit) await new Promise<void>(resolve => this.waiting.push(resolve));
        this.active++;
        try {
            return await task();
        } finally {
            this.active--;
            this.waiting.shift()?.();
        }
    }

    get queued(): number {
        return this.waiting.length;
    }
}

/** A GraphQL answer with errors, or a request that got no answer. */
export class ApiRequestError extends Error {}

export interface ApiCounters {
    requests: number;
    failures: number;
}

/**
 * One session on one of the server's public APIs (a customer on the shop API, staff or a driver on
 * the admin API), holding its bearer token as a storefront or app does.
 */
export class ApiSession {
    constructor(
        private readonly endpoint: string,
        private readonly limiter: RequestLimiter,
        private readonly counters: ApiCounters,
        public token?: string,
        private readonly requestTimeoutMs = 30_000,
    ) {}

    async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
        return this.limiter.run(async () => {
            this.counters.requests++;
            try {
                const response = await fetch(this.endpoint, {
                    method: 'POST',
                    headers: {
                        'content-type': 'application/json',
                        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
                    },
                    body: JSON.stringify({ query, variables }),
                    signal: AbortSignal.timeout(this.requestTimeoutMs),
                });
                const token = response.headers.get('vendure-auth-token');
                if (token) this.token = token;
                const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
                if (body.errors?.length || !body.data) {
                    throw new ApiRequestError(
                        body.errors?.map(error => error.message).join('; ') ?? `HTTP ${response.status}`,
                    );
                }
                return body.data;
            } catch (error) {
                this.counters.failures++;
                throw error instanceof ApiRequestError
                    ? error
                    : new ApiRequestError(`${this.endpoint}: ${describeError(error)}`);
            }
        });
    }
}

/** The result of a mutation whose answer is a union with ErrorResults. */
export interface UnionResult {
    __typename: string;
    message?: string;
}
