import { parseOpeningHours } from '../services/opening-hours';
import { draftFromSchedule, OpeningHoursDraft, scheduleFromDraft } from './opening-hours-draft';

/** The form of a stored value; fails the test when the form cannot show it. */
function draftOf(stored: string | null): OpeningHoursDraft {
    const draft = draftFromSchedule(stored);
    if (!draft) throw new Error(`no form for ${String(stored)}`);
    return draft;
}

/** The JSON of a form that has a schedule. */
function jsonOf(draft: OpeningHoursDraft): string {
    const written = scheduleFromDraft(draft);
    if (written === null) throw new Error('the form wrote no schedule');
    return written;
}

describe('the opening-hours editor form', () => {
    it('shows a stored schedule per weekday and exception, and writes the same schedule back', () => {
        const stored =
            '{"mon": ["08:00-12:00", "13:00-20:00"], "fri": ["18:00-02:00"], "exceptions": {"2026-12-25": [], "2026-12-31": ["08:00-14:00"]}}';
        const draft = draftOf(stored);
        expect(draft).toEqual({
            enabled: true,
            days: {
                mon: '08:00-12:00, 13:00-20:00',
                tue: '',
                wed: '',
                thu: '',
                fri: '18:00-02:00',
                sat: '',
                sun: '',
            },
            exceptions: '2026-12-25: closed\n2026-12-31: 08:00-14:00',
        });
        const written = jsonOf(draft);
        expect(JSON.parse(written)).toEqual(JSON.parse(stored));
        // What the server parses from the form's JSON is what it parsed from the stored one.
        expect(parseOpeningHours(written)).toEqual(parseOpeningHours(stored));
    });

    it('treats an empty or "closed" day as closed, and a date without hours as closed that day', () => {
        const draft = draftOf(null);
        expect(draft.enabled).toBe(false);
        expect(scheduleFromDraft(draft)).toBeNull();
        const written = jsonOf({
            enabled: true,
            days: { ...draft.days, tue: 'closed', wed: ' 09:00-17:00 ,, ' },
            exceptions: '2026-01-01\n\n  2026-05-01 : 10:00-14:00',
        });
        expect(JSON.parse(written)).toEqual({
            wed: ['09:00-17:00'],
            exceptions: { '2026-01-01': [], '2026-05-01': ['10:00-14:00'] },
        });
    });

    it('keeps what a person typed wrongly for the server to name, and leaves odd JSON to the text input', () => {
        const draft = draftOf(null);
        const written = jsonOf({ ...draft, enabled: true, days: { ...draft.days, mon: '8-20' } });
        expect(written).toBe('{"mon":["8-20"]}');
        expect(() => parseOpeningHours(written)).toThrow(/"8-20" is not a range like "08:00-20:00"/);
        for (const odd of ['not json', '[1]', '{"monday": ["08:00-20:00"]}', '{"mon": "08:00-20:00"}']) {
            expect(draftFromSchedule(odd)).toBeUndefined();
        }
    });
});
