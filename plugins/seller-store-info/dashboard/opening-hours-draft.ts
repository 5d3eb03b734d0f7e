/**
 * The opening-hours editor's form state and the `openingHours` JSON it stands for (see the
 * plugin README, "Opening hours"). Pure, so it is unit-tested without a browser. The editor does
 * not judge the ranges: the server's check on save says what is wrong with them.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_LABELS: Record<Weekday, string> = {
    mon: 'Monday',
    tue: 'Tuesday',
    wed: 'Wednesday',
    thu: 'Thursday',
    fri: 'Friday',
    sat: 'Saturday',
    sun: 'Sunday',
};

export interface OpeningHoursDraft {
    /** False: no schedule (the field is cleared). */
    enabled: boolean;
    /** Per weekday its ranges as typed, e.g. `08:00-12:00, 13:00-20:00`; empty or `closed`: closed. */
    days: Record<Weekday, string>;
    /** One line per date: `2026-12-25: closed` or `2026-12-31: 08:00-14:00`. */
    exceptions: string;
}

const CLOSED = 'closed';

function emptyDays(): Record<Weekday, string> {
    return { mon: '', tue: '', wed: '', thu: '', fri: '', sat: '', sun: '' };
}

function isRangeList(value: unknown): value is string[] {
    return Array.isArray(value) && value.every(item => typeof item === 'string');
}

/**
 * The form for a stored schedule; undefined when the stored text is not a schedule this form can
 * show (not JSON, or with keys or values it has no place for): the editor then shows the text.
 */
export function draftFromSchedule(stored: string | null | undefined): OpeningHoursDraft | undefined {
    if (stored == null || stored.trim() === '') return { enabled: false, days: emptyDays(), exceptions: '' };
    let parsed: unknown;
    try {
        parsed = JSON.parse(stored);
    } catch {
        return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const days = emptyDays();
    const lines: string[] = [];
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
        if ((WEEKDAYS as readonly string[]).includes(key) && isRangeList(value)) {
            days[key as Weekday] = value.join(', ');
        } else if (
            key === 'exceptions' &&
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value)
        ) {
            for (const [date, ranges] of Object.entries(value as Record<string, unknown>)) {
                if (!isRangeList(ranges)) return undefined;
                lines.push(`${date}: ${ranges.length ? ranges.join(', ') : CLOSED}`);
            }
        } else {
            return undefined;
        }
    }
    return { enabled: true, days, exceptions: lines.join('\n') };
}

/** `08:00-12:00, 13:00-20:00` as a list; empty or `closed` is no range (closed). */
function rangesOf(text: string): string[] {
    const parts = text
        .split(',')
        .map(part => part.trim())
        .filter(Boolean);
    return parts.length === 1 && parts[0].toLowerCase() === CLOSED ? [] : parts;
}

/** The JSON the field stores for a form, or null for "no schedule". */
export function scheduleFromDraft(draft: OpeningHoursDraft): string | null {
    if (!draft.enabled) return null;
    const schedule: Record<string, unknown> = {};
    for (const day of WEEKDAYS) {
        const ranges = rangesOf(draft.days[day]);
        if (ranges.length) schedule[day] = ranges;
    }
    const exceptions: Record<string, string[]> = {};
    for (const line of draft.exceptions.split('\n')) {
        if (!line.trim()) continue;
        const colon = line.indexOf(':');
        // A line without hours is the date alone: closed that day.
        const date = (colon < 0 ? line : line.slice(0, colon)).trim();
        exceptions[date] = colon < 0 ? [] : rangesOf(line.slice(colon + 1));
    }
    if (Object.keys(exceptions).length) schedule.exceptions = exceptions;
    return JSON.stringify(schedule);
}
