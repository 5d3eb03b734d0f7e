import { Logger } from '@vendure/core';

import { RedisOutageLog } from './redis-client';

describe('RedisOutageLog', () => {
    let warn: jest.SpyInstance;
    let info: jest.SpyInstance;

    beforeEach(() => {
        warn = jest.spyOn(Logger, 'warn').mockImplementation(() => undefined);
        info = jest.spyOn(Logger, 'info').mockImplementation(() => undefined);
    });

    afterEach(() => jest.restoreAllMocks());

    it('logs an outage once when it starts and once when it ends, however many failures come between', () => {
        const log = new RedisOutageLog('Location ping limit', 'Test', 'letting pings through');
        expect(log.back()).toBe(false);
        expect(log.lost(new Error('connect ECONNREFUSED'))).toBe(true);
        expect(log.lost(new Error('connect ECONNREFUSED'))).toBe(false);
        expect(log.lost('timeout')).toBe(false);
        expect(log.isDown).toBe(true);
        expect(log.back()).toBe(true);
        expect(log.back()).toBe(false);
        expect(warn.mock.calls).toEqual([
            ['Location ping limit: Redis unreachable (connect ECONNREFUSED); letting pings through', 'Test'],
        ]);
        expect(info.mock.calls).toEqual([['Location ping limit: Redis reachable again', 'Test']]);
    });

    it('logs the next outage again', () => {
        const log = new RedisOutageLog('Redis driver index', 'Test');
        log.lost(new Error('first'));
        log.back();
        log.lost(new Error('second'));
        expect(warn.mock.calls.map(([message]) => message as string)).toEqual([
            'Redis driver index: Redis unreachable (first)',
            'Redis driver index: Redis unreachable (second)',
        ]);
    });
});
