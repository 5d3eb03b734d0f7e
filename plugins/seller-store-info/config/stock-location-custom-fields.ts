import { CustomFieldConfig, LanguageCode } from '@vendure/core';

const en = (value: string) => [{ languageCode: LanguageCode.en, value }];

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
    { name: 'address', type: 'string', nullable: true, label: en('Street address') },
    { name: 'postalCode', type: 'string', nullable: true, label: en('Postal code') },
    { name: 'city', type: 'string', nullable: true, label: en('City') },
];
