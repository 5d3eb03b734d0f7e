import {
    isTimeZone,
    OPENING_HOURS_LIMITS,
    openingHoursProblem,
    openStatus,
    parseOpeningHours,
} from './opening-hours';

/** Fixed clocks: every instant is written in UTC, whatever the machine's own time zone. */
const at = (iso: string) => new Date(iso);
const status = (json: object, zone: string, when: string, lastOrderMinutes = 0) =>
    openStatus(parseOpeningHours(JSON.stringify(json)), zone, at(when), lastOrderMinutes);
const weekdays = (ranges: string[]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });

describe('openStatus', () => {
    // 2026-03-02 is a Monday; Berlin is UTC+1 in winter.
    const berlin = 'Europe/Berlin';

    it('is open a minute before closing and closed at closing time, then opens the next morning', () => {
        const hours = weekdays(['08:00-20:00']);
        expect(status(hours, berlin, '2026-03-02T18:59:00Z')).toEqual({ openNow: true, opensAt: null });
        expect(status(hours, berlin, '2026-03-02T19:00:00Z')).toEqual({
            openNow: false,
            opensAt: at('2026-03-03T07:00:00Z'),
        });
        // Friday evening: the next opening is Monday.
        expect(status(hours, berlin, '2026-03-06T19:30:00Z').opensAt).toEqual(at('2026-03-09T07:00:00Z'));
    });

    it('stops taking orders lastOrderMinutes before closing', () => {
        const hours = weekdays(['08:00-12:00', '13:00-20:00']);
        // 11:44 and 11:45 Berlin with 15 minutes: the second is too late, the afternoon opening is next.
        expect(status(hours, berlin, '2026-03-02T10:44:00Z', 15).openNow).toBe(true);
        expect(status(hours, berlin, '2026-03-02T10:45:00Z', 15)).toEqual({
            openNow: false,
            opensAt: at('2026-03-02T12:00:00Z'),
        });
        // Without the option the store is still open then.
        expect(status(hours, berlin, '2026-03-02T10:45:00Z').openNow).toBe(true);
    });

    it('runs a range across midnight into the next day', () => {
        const hours = { fri: ['18:00-02:00'] };
        // Saturday 01:59 and 02:00 Berlin.
        expect(status(hours, berlin, '2026-03-07T00:59:00Z').openNow).toBe(true);
        expect(status(hours, berlin, '2026-03-07T01:00:00Z')).toEqual({
            openNow: false,
            opensAt: at('2026-03-13T17:00:00Z'),
        });
        // Friday before opening.
        expect(status(hours, berlin, '2026-03-06T16:59:00Z').opensAt).toEqual(at('2026-03-06T17:00:00Z'));
    });

    it('joins ranges that touch, so the last-order margin applies at the real closing', () => {
        const hours = { mon: ['18:00-24:00'], tue: ['00:00-02:00'] };
        // Monday 23:50 Berlin with 15 minutes: open, closing is Tuesday 02:00.
        expect(status(hours, berlin, '2026-03-02T22:50:00Z', 15).openNow).toBe(true);
        expect(status(hours, berlin, '2026-03-03T00:46:00Z', 15).openNow).toBe(false);
        expect(
            status({ mon: ['00:00-24:00'], tue: ['00:00-24:00'] }, berlin, '2026-03-02T22:59:00Z', 30),
        ).toEqual({
            openNow: true,
            opensAt: null,
        });
    });

    it('reads the hours in the store’s time zone, not the server’s', () => {
        const hours = weekdays(['09:00-17:00']);
        // 09:30 in Tokyo (UTC+9) is Monday 00:30 UTC, and Sunday evening in New York.
        expect(status(hours, 'Asia/Tokyo', '2026-03-02T00:30:00Z').openNow).toBe(true);
        expect(status(hours, 'America/New_York', '2026-03-02T00:30:00Z')).toEqual({
            openNow: false,
            opensAt: at('2026-03-02T14:00:00Z'),
        });
        // 17:00 in Tokyo: closed until 09:00 Tokyo the next day.
        expect(status(hours, 'Asia/Tokyo', '2026-03-02T08:00:00Z').opensAt).toEqual(
            at('2026-03-03T00:00:00Z'),
        );
    });

    it('keeps wall-clock hours across a daylight-saving change', () => {
        const sundays = { sun: ['09:00-18:00'] };
        // Berlin moves to summer time on Sunday 2026-03-29: 09:00 is 07:00 UTC that day, 08:00 UTC the week before.
        expect(status(sundays, berlin, '2026-03-22T07:30:00Z').opensAt).toEqual(at('2026-03-22T08:00:00Z'));
        expect(status(sundays, berlin, '2026-03-29T06:30:00Z').opensAt).toEqual(at('2026-03-29T07:00:00Z'));
        expect(status(sundays, berlin, '2026-03-29T15:59:00Z').openNow).toBe(true);
        expect(status(sundays, berlin, '2026-03-29T16:00:00Z').openNow).toBe(false);
        // Back to winter time on 2026-10-25: that day is 25 hours long, 18:00 is 17:00 UTC.
        expect(status(sundays, berlin, '2026-10-25T16:59:00Z').openNow).toBe(true);
        expect(status(sundays, berlin, '2026-10-25T17:00:00Z').openNow).toBe(false);
        // New York's change (2026-03-08) across midnight: Saturday 22:00 to Sunday 04:00 local.
        const nights = { sat: ['22:00-04:00'] };
        expect(status(nights, 'America/New_York', '2026-03-08T07:59:00Z').openNow).toBe(true);
        expect(status(nights, 'America/New_York', '2026-03-08T08:00:00Z').openNow).toBe(false);
    });

    it('lets a date exception replace the weekday, as a holiday or shorter hours', () => {
        const hours = {
            ...weekdays(['08:00-20:00']),
            exceptions: { '2026-12-24': ['08:00-14:00'], '2026-12-25': [] },
        };
        // Thursday 24 December, 14:00 Berlin: closed; Friday 25th closed all day; Monday 28th next.
        expect(status(hours, berlin, '2026-12-24T12:59:00Z').openNow).toBe(true);
        expect(status(hours, berlin, '2026-12-24T13:00:00Z')).toEqual({
            openNow: false,
            opensAt: at('2026-12-28T07:00:00Z'),
        });
        expect(status(hours, berlin, '2026-12-25T10:00:00Z').openNow).toBe(false);
    });

    it('says a store with no hours at all is closed and never opens', () => {
        expect(status({}, berlin, '2026-03-02T10:00:00Z')).toEqual({ openNow: false, opensAt: null });
    });
});

describe('parseOpeningHours', () => {
    it.each([
        ['not json', 'is not valid JSON'],
        ['["08:00-20:00"]', 'must be a JSON object'],
        ['{"monday": []}', 'unknown key "monday"'],
        ['{"mon": "08:00-20:00"}', '"mon" must be a list'],
        ['{"mon": ["8:00-20:00"]}', 'is not a range like "08:00-20:00"'],
        ['{"mon": ["08:00-24:30"]}', 'ends after 24:00'],
        ['{"mon": ["24:00-08:00"]}', 'is not a range'],
        ['{"mon": ["09:00-09:00"]}', 'is empty'],
        ['{"exceptions": {"2026-02-30": []}}', 'is not a date'],
        ['{"exceptions": []}', '"exceptions" must be an object'],
    ])('refuses %s', (text, message) => {
        expect(openingHoursProblem(text)).toContain(message);
        expect(openingHoursProblem(text)).toMatch(/^Opening hours /);
    });

    it('bounds the text, the ranges per day and the exceptions', () => {
        expect(openingHoursProblem(' '.repeat(OPENING_HOURS_LIMITS.length + 1))).toContain('too long');
        const ranges = Array.from(
            { length: OPENING_HOURS_LIMITS.rangesPerDay + 1 },
            (_, i) => `0${i}:00-0${i}:30`,
        );
        expect(openingHoursProblem(JSON.stringify({ tue: ranges }))).toContain('more than 6 ranges');
        const exceptions = Object.fromEntries(
            Array.from({ length: OPENING_HOURS_LIMITS.exceptions + 1 }, (_, i) => [
                new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10),
                [],
            ]),
        );
        expect(openingHoursProblem(JSON.stringify({ exceptions }))).toContain('more than 100 exceptions');
    });

    it('accepts the documented example', () => {
        const example = {
            mon: ['08:00-20:00'],
            tue: ['08:00-12:00', '13:00-20:00'],
            fri: ['18:00-02:00'],
            sat: ['00:00-24:00'],
            exceptions: { '2026-12-25': [], '2026-12-24': ['08:00-14:00'] },
        };
        expect(openingHoursProblem(JSON.stringify(example))).toBeUndefined();
        expect(parseOpeningHours(JSON.stringify(example)).week[4]).toEqual([{ start: 1080, end: 1560 }]);
    });
});

describe('isTimeZone', () => {
    it('knows IANA names and refuses others', () => {
        expect(isTimeZone('Europe/Berlin')).toBe(true);
        expect(isTimeZone('UTC')).toBe(true);
        expect(isTimeZone('Mars/Olympus')).toBe(false);
        expect(isTimeZone('+02:00')).toBe(false);
    });
});
