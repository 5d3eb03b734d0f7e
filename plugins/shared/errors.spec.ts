import { describeError } from './errors';

describe('describeError', () => {
    it('gives the message of an Error, and of its cause', () => {
        expect(describeError(new Error('boom'))).toBe('boom');
        expect(
            describeError(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })),
        ).toBe('fetch failed (connect ECONNREFUSED)');
    });

    it('names the error class when asked', () => {
        class ConnectionError extends Error {
            override name = 'ConnectionError';
        }
        expect(describeError(new ConnectionError('no living connections'), { withName: true })).toBe(
            'ConnectionError: no living connections',
        );
    });

    it('turns anything else into a string', () => {
        expect(describeError('timeout')).toBe('timeout');
        expect(describeError(undefined)).toBe('undefined');
    });
});
