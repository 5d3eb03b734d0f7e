import { CustomFieldConfig, LanguageCode } from '@vendure/core';

import { INPUT_LIMITS } from '../../shared/input-bounds';

const en = (value: string) => [{ languageCode: LanguageCode.en, value }];

/**
 * A marketplace seller's verification, on Vendure's Seller. Internal: only `verifySeller` and
 * `unverifySeller` change them (never `updateSeller`), and the admin API reads them as
 * `Seller.verified` and its companions. A new seller is unverified; the migration that adds them
 * marks the sellers that existed then as verified.
 */
export const sellerVerificationCustomFields: CustomFieldConfig[] = [
    {
        name: 'verified',
        type: 'boolean',
        nullable: false,
        defaultValue: false,
        internal: true,
        label: en('Verified'),
    },
    {
        name: 'verificationChangedAt',
        type: 'datetime',
        nullable: true,
        internal: true,
        label: en('Verification changed at'),
    },
    {
        name: 'verificationChangedBy',
        type: 'string',
        nullable: true,
        internal: true,
        label: en('Verification changed by'),
    },
    {
        name: 'unverifiedReason',
        type: 'string',
        length: INPUT_LIMITS.note,
        nullable: true,
        internal: true,
        label: en('Reason for un-verifying'),
    },
];
