import { DashboardFormComponent, Input } from '@vendure/dashboard';
import { useEffect, useState } from 'react';

import {
    draftFromSchedule,
    OpeningHoursDraft,
    scheduleFromDraft,
    WEEKDAY_LABELS,
    WEEKDAYS,
} from './opening-hours-draft';

/**
 * The stock location's `openingHours` custom field as a weekly form instead of JSON: a line of
 * time ranges per weekday (empty = closed), one line per date exception, and a switch for "no
 * schedule". It writes the same JSON the field stores; the server checks it on save and the page
 * shows its message (e.g. a range that is not like 08:00-20:00) without saving. A stored value this
 * form cannot show (hand-written JSON with something else in it) is edited as text.
 */
export const OpeningHoursInput: DashboardFormComponent = ({ value, onChange, onBlur, disabled }) => {
    const stored = typeof value === 'string' ? value : null;
    const [draft, setDraft] = useState<OpeningHoursDraft | undefined>(() => draftFromSchedule(stored));
    // Follow a value that changes from outside (the page loading, a reset after save).
    useEffect(() => {
        if (draft && scheduleFromDraft(draft) === (stored ?? null)) return;
        setDraft(draftFromSchedule(stored));
    }, [stored]);

    if (!draft) {
        return (
            <Input
                data-testid="opening-hours-json"
                value={stored ?? ''}
                disabled={disabled}
                onBlur={onBlur}
                onChange={event => onChange(event.target.value)}
            />
        );
    }
    const update = (next: OpeningHoursDraft) => {
        setDraft(next);
        onChange(scheduleFromDraft(next));
    };
    return (
        <div className="flex flex-col gap-2" data-testid="opening-hours-editor" onBlur={onBlur}>
            <label className="flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    data-testid="opening-hours-enabled"
                    checked={draft.enabled}
                    disabled={disabled}
                    onChange={event => update({ ...draft, enabled: event.target.checked })}
                />
                Has opening hours (unchecked: no schedule)
            </label>
            {draft.enabled && (
                <>
                    {WEEKDAYS.map(day => (
                        <div key={day} className="grid grid-cols-[6rem_1fr] items-center gap-2">
                            <span className="text-sm">{WEEKDAY_LABELS[day]}</span>
                            <Input
                                aria-label={`Opening hours on ${WEEKDAY_LABELS[day]}`}
                                data-testid={`opening-hours-${day}`}
                                placeholder="closed, or e.g. 08:00-12:00, 13:00-20:00"
                                value={draft.days[day]}
                                disabled={disabled}
                                onChange={event =>
                                    update({ ...draft, days: { ...draft.days, [day]: event.target.value } })
                                }
                            />
                        </div>
                    ))}
                    <span className="text-sm">
                        Exceptions, one per line (a date, then its hours or closed)
                    </span>
                    <textarea
                        aria-label="Opening hours exceptions"
                        data-testid="opening-hours-exceptions"
                        className="border-input min-h-16 rounded-md border bg-transparent px-2.5 py-1 text-sm"
                        placeholder={'2026-12-25: closed\n2026-12-31: 08:00-14:00'}
                        value={draft.exceptions}
                        disabled={disabled}
                        onChange={event => update({ ...draft, exceptions: event.target.value })}
                    />
                </>
            )}
        </div>
    );
};
