/**
 * GraphQL and HTTP as a client on the wire sees them: the status, the headers and the raw body,
 * which the matrices inspect whole (a stack trace or a database message anywhere in it counts).
 */

export interface RawResponse {
    status: number;
    contentType: string | null;
    /** The body exactly as sent. */
    text: string;
    /** The body parsed, when it is JSON. */
    json: GraphQLBody | undefined;
}

export interface GraphQLError {
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown> & { code?: string };
}

export interface GraphQLBody {
    data?: Record<string, unknown> | null;
    errors?: GraphQLError[];
    message?: string;
}

export interface Caller {
    /** The session token (`Authorization: Bearer`), none for anonymous. */
    token?: string;
    /** The channel token (`vendure-token`). */
    channelToken?: string;
}

export type Api = 'shop-api' | 'admin-api';

/** Placeholder for a number JSON cannot carry; {@link rawGraphql} writes it as the literal 1e400. */
export const JSON_INFINITY = '__json_infinity__';

export async function rawGraphql(
    port: number,
    api: Api,
    query: string,
    variables: Record<string, unknown> | undefined,
    caller: Caller = {},
): Promise<RawResponse> {
    // JSON.stringify turns Infinity into null: the placeholder lets a body carry 1e400, which
    // JSON.parse on the server reads as Infinity.
    const body = JSON.stringify({ query, variables }).split(`"${JSON_INFINITY}"`).join('1e400');
    return rawPost(port, `/${api}`, body, caller);
}

export async function rawPost(port: number, path: string, body: string, caller: Caller = {}) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            ...headersOf(caller),
        },
        body,
    });
    return read(response);
}

export async function rawGet(
    port: number,
    path: string,
    caller: Caller & { headers?: Record<string, string> } = {},
): Promise<RawResponse> {
    const abort = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { accept: 'text/event-stream', ...headersOf(caller), ...caller.headers },
        signal: abort.signal,
    });
    const contentType = response.headers.get('content-type');
    if (contentType?.startsWith('text/event-stream')) {
        // An open stream: read what it sent first, then hang up.
        const reader = response.body?.getReader();
        const first = reader ? await Promise.race([reader.read(), delay(1000)]) : undefined;
        abort.abort();
        const chunk = first && 'value' in first && first.value ? new TextDecoder().decode(first.value) : '';
        return { status: response.status, contentType, text: chunk, json: undefined };
    }
    return read(response);
}

/** Logs in and returns the session token. */
export async function rawLogin(port: number, api: Api, username: string, password: string): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${port}/${api}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
            query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
            variables: { u: username, p: password },
        }),
    });
    const token = response.headers.get('vendure-auth-token');
    const body = (await response.json()) as GraphQLBody;
    const login = body.data?.login as { __typename?: string } | undefined;
    if (!token || login?.__typename !== 'CurrentUser') {
        throw new Error(`Login of ${username} on ${api} failed: ${JSON.stringify(body)}`);
    }
    return token;
}

function headersOf(caller: Caller): Record<string, string> {
    return {
        ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
        ...(caller.channelToken ? { 'vendure-token': caller.channelToken } : {}),
    };
}

async function read(response: Response): Promise<RawResponse> {
    const text = await response.text();
    let json: GraphQLBody | undefined;
    try {
        json = JSON.parse(text) as GraphQLBody;
    } catch {
        json = undefined;
    }
    return { status: response.status, contentType: response.headers.get('content-type'), text, json };
}

function delay(ms: number): Promise<undefined> {
    return new Promise(resolve => setTimeout(() => resolve(undefined), ms));
}
