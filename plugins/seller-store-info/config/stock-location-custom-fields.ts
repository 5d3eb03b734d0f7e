import { CustomFieldConfig, LanguageCode, UserInputError } from '@vendure/core';

import { boundedText, INPUT_LIMITS } from '../../shared/input-bounds';

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
];
