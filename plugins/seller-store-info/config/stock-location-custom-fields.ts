import { CustomFieldConfig, LanguageCode, UserInputError } from '@vendure/core';

import { boundedText, INPUT_LIMITS } from '../../shared/input-bounds';
import { isTimeZone, openingHoursProblem } from '../services/opening-hours';

const en = (value: string) => [{ languageCode: LanguageCode.en, value }];

/** A text field's check: bounded and plain, as every string the suite takes (the column holds 255). */
function textOf(field: string, max: number) {
    return (value: string | null | undefined): string | undefined => {
        if (value == null) return undefined;
        try {
            boundedText(value, field, max);
            return undefined;
        } catch (error) {
            return error instanceof UserInputError ? error.message : String(error);
        }
    };
}

/**
 * Store coordinates and the address drivers need: Vendure's StockLocation has neither. A store
 * without coordinates is never "near".
 */
export const stockLocationCustomFields: CustomFieldConfig[] = [
    {
        name: 'latitude',
        type: 'float',
        nullable: true,
        min: -90,
        max: 90,
        label: en('Latitude'),
        description: en('WGS84 latitude of the store, -90 to 90'),
    },
    {
        name: 'longitude',
        type: 'float',
        nullable: true,
        min: -180,
        max: 180,
        label: en('Longitude'),
        description: en('WGS84 longitude of the store, -180 to 180'),
    },
    {
        name: 'address',
        type: 'string',
        nullable: true,
        label: en('Street address'),
        validate: textOf('address', INPUT_LIMITS.address),
    },
    {
        name: 'postalCode',
        type: 'string',
        nullable: true,
        label: en('Postal code'),
        validate: textOf('postalCode', INPUT_LIMITS.postalCode),
    },
    {
        name: 'city',
        type: 'string',
        nullable: true,
        label: en('City'),
        validate: textOf('city', INPUT_LIMITS.name),
    },
    // Opening hours (README "Opening hours"): the schedule as JSON text, which the dashboard edits
    // in a weekly form (dashboard/opening-hours-input.tsx), and the zone its times are read in.
    {
        name: 'openingHours',
        type: 'text',
        nullable: true,
        label: en('Opening hours'),
        description: en(
            "Times in the store's time zone, e.g. 08:00-12:00, 13:00-20:00. An empty day is closed; an end " +
                "before the start runs past midnight (18:00-02:00); an exception replaces a date's hours. " +
                'Unchecked: no schedule. Stored as JSON: {"mon": ["08:00-20:00"], "exceptions": {"2026-12-25": []}}.',
        ),
        ui: { component: 'seller-store-info.opening-hours' },
        validate: (value: string | null | undefined) =>
            value == null || value.trim() === '' ? undefined : openingHoursProblem(value),
    },
    {
        name: 'timeZone',
        type: 'string',
        nullable: true,
        label: en('Time zone'),
        description: en('IANA time zone of the opening hours, e.g. Europe/Berlin. Empty: UTC.'),
        validate: (value: string | null | undefined) =>
            value == null || value === '' || isTimeZone(value)
                ? undefined
                : `Time zone "${value.slice(0, 40)}" is not an IANA time zone name such as Europe/Berlin or UTC`,
    },
];
