import { randomUUID } from 'node:crypto';

import type { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@vendure/core';
import type { GraphQLFormattedError } from 'graphql';

const loggerCtx = 'GraphQLErrors';

/** Text that only a database (PostgreSQL through TypeORM) writes. */
const DATABASE_TEXT =
    /QueryFailedError|violates .* constraint|duplicate key value|invalid input syntax|invalid byte sequence|out of range for type|value too long for type|character varying|relation "|column "|syntax error at or near/i;

/**
 * Database refusals that a client caused and can fix, said in the client's terms: Vendure's own
 * operations pass ids and text to the database unchecked.
 */
const CLIENT_DATABASE_ERRORS: Array<[RegExp, (match: RegExpMatchArray) => string]> = [
    [
        /invalid input syntax for type (?:integer|bigint|smallint)|out of range for type (?:integer|bigint|smallint)/,
        () => 'An id or number in this request is not valid: ids are whole numbers from 1 to 2147483647',
    ],
    [/invalid input syntax for type uuid/, () => 'An id in this request is not valid: ids are UUIDs here'],
    [
        /invalid byte sequence for encoding "UTF8": 0x00|unsupported Unicode escape sequence/,
        () => 'A text in this request contains a NUL character: send plain text',
    ],
    [
        /value too long for type character varying\((\d+)\)/,
        match => `A text in this request is too long: at most ${match[1]} characters`,
    ],
];

/** How much of a message reaches the client: GraphQL's own messages echo the variables given. */
const MAX_MESSAGE_LENGTH = 300;

/**
 * Errors reach clients without internals, whatever `NODE_ENV` is: no stack traces (Apollo adds
 * them unless NODE_ENV is production), no database messages, no messages of unexpected errors.
 * Those become one sentence with a reference that is also in the server log beside the original,
 * so an operator can find it. Messages written for the client pass, cut to a bounded length.
 */
export const graphqlErrorShield: ApolloServerPlugin = {
    requestDidStart() {
        return Promise.resolve({
            willSendResponse({ response }) {
                if (response.body.kind !== 'single') return Promise.resolve();
                const errors = response.body.singleResult.errors;
                if (errors?.length) response.body.singleResult.errors = errors.map(shield);
                return Promise.resolve();
            },
        });
    },
};

export function shield(error: GraphQLFormattedError): GraphQLFormattedError {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = error.extensions ?? {};
    // A code of its own (Vendure's I18nErrors, GraphQL's, a plugin's such as SEARCH_UNAVAILABLE)
    // means the message was written for the client; unexpected errors come without one.
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    if (code !== 'INTERNAL_SERVER_ERROR' && !DATABASE_TEXT.test(error.message)) {
        return { ...error, message: bounded(error.message), extensions };
    }
    for (const [pattern, say] of CLIENT_DATABASE_ERRORS) {
        const match = error.message.match(pattern);
        if (match) return { ...error, message: say(match), extensions: { code: 'USER_INPUT_ERROR' } };
    }
    const reference = randomUUID();
    Logger.error(`${bounded(error.message)} [reference=${reference}]`, loggerCtx);
    return {
        ...error,
        message: `The server could not complete this request (reference ${reference}); nothing was changed by the failed part. Try again, or report the reference.`,
        extensions: { code: 'INTERNAL_SERVER_ERROR', reference },
    };
}

function bounded(message: string): string {
    return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}
