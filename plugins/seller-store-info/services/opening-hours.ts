import { DateTime, IANAZone } from 'luxon';

/**
 * A store's opening hours: pure, no Vendure. The schedule is the JSON of the stock location's
 * `openingHours` custom field; times are wall-clock times in the store's IANA time zone (its
 * `timeZone` custom field), so a daylight-saving change moves the instants, never the hours.
 *
 * ```json
 * {
 *   "mon": ["08:00-20:00"],
 *   "tue": ["08:00-12:00", "13:00-20:00"],
 *   "fri": ["18:00-02:00"],
 *   "sat": ["00:00-24:00"],
 *   "exceptions": { "2026-12-25": [], "2026-12-24": ["08:00-14:00"] }
 * }
 * ```
 * - Weekdays `mon` … `sun`, each a list of `"HH:MM-HH:MM"` ranges; a day left out or `[]` is closed.
 * - A range whose end is not after its start runs across midnight (`"18:00-02:00"` closes at 2 on the
 *   next day); `24:00` is the end of the day.
 * - `exceptions`: a local date (`YYYY-MM-DD`) whose own ranges replace that weekday's (`[]`: closed,
 *   a holiday). A range of the day before that runs across midnight still ends as it says.
 */
export interface OpeningHours {
    /** Index 0 = Monday (luxon's weekday 1) … 6 = Sunday. */
    readonly week: readonly (readonly TimeRange[])[];
    readonly exceptions: ReadonlyMap<string, readonly TimeRange[]>;
}

/** Minutes from the local midnight of its day; `end` > 1440 runs into the next day. */
export interface TimeRange {
    readonly start: number;
    readonly end: number;
}

/** Open or not at a moment, and when it next opens (null while open, or when it never does). */
export interface OpenStatus {
    openNow: boolean;
    opensAt: Date | null;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Bounds of what staff may save (the field is free text). */
export const OPENING_HOURS_LIMITS = {
    /** Characters of the JSON text. */
    length: 4000,
    rangesPerDay: 6,
    exceptions: 100,
} as const;

/** How far ahead `opensAt` is looked for (a store closed for a long holiday still says when it opens). */
const LOOKAHEAD_DAYS = 400;

export class OpeningHoursError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'OpeningHoursError';
    }
}

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses and validates the `openingHours` JSON text.
 *
 * @throws OpeningHoursError saying what is wrong, in words staff can act on
 */
export function parseOpeningHours(text: string): OpeningHours {
    if (text.length > OPENING_HOURS_LIMITS.length) {
        fail(`is too long: at most ${OPENING_HOURS_LIMITS.length} characters (got ${text.length})`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        fail('is not valid JSON');
    }
    if (!isPlainObject(json)) fail('must be a JSON object like {"mon": ["08:00-20:00"]}');
    const week: TimeRange[][] = WEEKDAYS.map(() => []);
    const exceptions = new Map<string, TimeRange[]>();
    for (const [key, value] of Object.entries(json)) {
        const day = (WEEKDAYS as readonly string[]).indexOf(key);
        if (day >= 0) {
            week[day] = ranges(value, key);
        } else if (key === 'exceptions') {
            if (!isPlainObject(value))
                fail('"exceptions" must be an object of dates, like {"2026-12-25": []}');
            const entries = Object.entries(value);
            if (entries.length > OPENING_HOURS_LIMITS.exceptions) {
                fail(`has more than ${OPENING_HOURS_LIMITS.exceptions} exceptions`);
            }
            for (const [date, dayRanges] of entries) {
                if (!DATE.test(date) || !DateTime.fromISO(date, { zone: 'utc' }).isValid) {
                    fail(`exception "${echo(date)}" is not a date (YYYY-MM-DD)`);
                }
                exceptions.set(date, ranges(dayRanges, date));
            }
        } else {
            fail(`has an unknown key "${echo(key)}": use ${WEEKDAYS.join(', ')} and exceptions`);
        }
    }
    return { week, exceptions };
}

/** The problem with a schedule text, or undefined when it is valid (custom field `validate`). */
export function openingHoursProblem(text: string): string | undefined {
    try {
        parseOpeningHours(text);
        return undefined;
    } catch (error) {
        return error instanceof OpeningHoursError ? error.message : String(error);
    }
}

/** An IANA time zone name that this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
    return name.length <= 64 && IANAZone.isValidZone(name);
}

/**
 * Whether the store is open at `at` and when it next opens. With `lastOrderMinutes`, the last
 * minutes before each closing count as closed (no new orders); then `opensAt` is the next opening.
 * Consecutive ranges (`"mon": ["18:00-24:00"], "tue": ["00:00-02:00"]`) are one opening.
 */
export function openStatus(
    hours: OpeningHours,
    timeZone: string,
    at: Date,
    lastOrderMinutes = 0,
): OpenStatus {
    const margin = Math.max(0, lastOrderMinutes) * 60_000;
    const time = at.getTime();
    const firstDay = DateTime.fromJSDate(at, { zone: timeZone }).startOf('day').minus({ days: 1 });
    let current: Opening | undefined;
    // Walk the openings in time order, joining those that touch; growing an opening only moves its
    // end later, so the first one that answers is the answer.
    for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset++) {
        const day = firstDay.plus({ days: offset });
        for (const range of rangesOf(hours, day)) {
            const start = wallClock(day, range.start, timeZone);
            const end = wallClock(day, range.end, timeZone);
            if (end <= start) continue; // a range lost in a DST gap
            if (current && start <= current.end) current.end = Math.max(current.end, end);
            else current = { start, end };
            const answer = decide(current, time, margin);
            if (answer) return answer;
        }
    }
    return { openNow: false, opensAt: null };
}

interface Opening {
    start: number;
    end: number;
}

/** The answer from one (joined) opening, or undefined when it does not decide it (yet). */
function decide(open: Opening, time: number, margin: number): OpenStatus | undefined {
    if (open.end - margin <= open.start) return undefined; // too short to take an order (so far)
    if (open.start > time) return { openNow: false, opensAt: new Date(open.start) };
    if (time < open.end - margin) return { openNow: true, opensAt: null };
    return undefined;
}

/** The ranges that belong to a local day: its exception's, else its weekday's. */
function rangesOf(hours: OpeningHours, day: DateTime): readonly TimeRange[] {
    const date = day.toISODate();
    const exception = date ? hours.exceptions.get(date) : undefined;
    return exception ?? hours.week[day.weekday - 1];
}

/** The instant of a wall-clock time `minutes` after the local midnight of `day` (next day past 24:00). */
function wallClock(day: DateTime, minutes: number, timeZone: string): number {
    const date = day.plus({ days: Math.floor(minutes / 1440) });
    const rest = minutes % 1440;
    // By calendar fields, so 09:00 is 09:00 on a DST change day; a time in the spring gap moves on.
    return DateTime.fromObject(
        { year: date.year, month: date.month, day: date.day, hour: Math.floor(rest / 60), minute: rest % 60 },
        { zone: timeZone },
    ).toMillis();
}

function ranges(value: unknown, where: string): TimeRange[] {
    if (!Array.isArray(value)) fail(`"${echo(where)}" must be a list of "HH:MM-HH:MM" ranges`);
    if (value.length > OPENING_HOURS_LIMITS.rangesPerDay) {
        fail(`"${echo(where)}" has more than ${OPENING_HOURS_LIMITS.rangesPerDay} ranges`);
    }
    return value.map(item => {
        const match = typeof item === 'string' ? RANGE.exec(item) : null;
        if (!match) {
            fail(`"${echo(where)}": ${JSON.stringify(echo(String(item)))} is not a range like "08:00-20:00"`);
        }
        const start = Number(match[1]) * 60 + Number(match[2]);
        let end = Number(match[3]) * 60 + Number(match[4]);
        if (end > 1440) fail(`"${echo(where)}": ${item as string} ends after 24:00`);
        if (end === start)
            fail(`"${echo(where)}": ${item as string} is empty; use "00:00-24:00" for all day`);
        if (end < start) end += 1440; // across midnight
        return { start, end };
    });
}

function fail(message: string): never {
    throw new OpeningHoursError(`Opening hours ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function echo(text: string): string {
    return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}
