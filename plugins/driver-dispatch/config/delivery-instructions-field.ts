import { CustomFieldConfig, LanguageCode } from '@vendure/core';

import { INPUT_LIMITS } from '../../shared/input-bounds';

/**
 * What the customer tells the driver ("ring twice, 3rd floor"): set in the shop API with
 * `setOrderCustomFields`, shown to the driver in `activeDriverAssignment`. Bounded, so a
 * client cannot store a novel on an order.
 */
export const deliveryInstructionsField: CustomFieldConfig = {
    name: 'deliveryInstructions',
    type: 'string',
    length: INPUT_LIMITS.note,
    nullable: true,
    public: true,
    label: [{ languageCode: LanguageCode.en, value: 'Delivery instructions' }],
    description: [{ languageCode: LanguageCode.en, value: 'Shown to the driver in the driver app' }],
    validate: (value: unknown) => {
        if (typeof value !== 'string') return undefined;
        if (value.length > INPUT_LIMITS.note) {
            return `Delivery instructions are too long: at most ${INPUT_LIMITS.note} characters (got ${value.length})`;
        }
        return value.includes('\u0000')
            ? 'Delivery instructions contain a NUL character: send plain text'
            : undefined;
    },
};
