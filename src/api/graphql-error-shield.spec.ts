import { Logger } from '@vendure/core';

import { shield } from './graphql-error-shield';

describe('the GraphQL error shield', () => {
    beforeEach(() => jest.spyOn(Logger, 'error').mockImplementation(() => undefined));
    afterEach(() => jest.restoreAllMocks());

    it('keeps messages written for the client, without the stack trace, cut to a bounded length', () => {
        const out = shield({
            message: `postalCode is too long: ${'9'.repeat(1000)}`,
            extensions: {
                code: 'USER_INPUT_ERROR',
                stacktrace: ['Error: x', '    at /work/main/dist/a.js:1:2'],
            },
        });
        expect(out.extensions).toEqual({ code: 'USER_INPUT_ERROR' });
        expect(out.message.length).toBeLessThanOrEqual(301);
        expect(out.message).toMatch(/^postalCode is too long/);
    });

    it('says what a client can fix when the database refused an id or a text', () => {
        expect(shield({ message: 'invalid input syntax for type integer: "1.5"' })).toMatchObject({
            message: expect.stringMatching(/An id or number in this request is not valid/),
            extensions: { code: 'USER_INPUT_ERROR' },
        });
        expect(shield({ message: 'invalid input syntax for type uuid: "42"' })).toMatchObject({
            message: 'An id in this request is not valid: ids are UUIDs here',
            extensions: { code: 'USER_INPUT_ERROR' },
        });
        expect(shield({ message: 'value too long for type character varying(255)' }).message).toBe(
            'A text in this request is too long: at most 255 characters',
        );
        expect(shield({ message: 'invalid byte sequence for encoding "UTF8": 0x00' }).message).toMatch(/NUL/);
    });

    it('replaces unexpected and database messages with a reference that is logged beside the original', () => {
        const out = shield({
            message: 'duplicate key value violates unique constraint "UQ_x"',
            extensions: { code: 'USER_INPUT_ERROR', exception: { stacktrace: ['at x'] } },
        });
        expect(out.message).toMatch(/could not complete this request \(reference [0-9a-f-]{36}\)/);
        expect(out.message).not.toMatch(/duplicate key|UQ_x/);
        const reference = String(out.extensions?.reference);
        expect(Logger.error).toHaveBeenCalledWith(
            expect.stringContaining(`[reference=${reference}]`),
            expect.any(String),
        );
        expect(shield({ message: 'Cannot read properties of undefined' }).message).toMatch(/reference/);
        expect(
            shield({ message: 'Cannot read x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }).message,
        ).toMatch(/reference/);
        // A plugin's own coded error is for the client.
        expect(
            shield({
                message: 'Search is temporarily unavailable',
                extensions: { code: 'SEARCH_UNAVAILABLE' },
            }),
        ).toMatchObject({ message: 'Search is temporarily unavailable' });
    });
});
