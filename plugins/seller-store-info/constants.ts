import { PermissionDefinition } from '@vendure/core';

export const SELLER_STORE_INFO_PLUGIN_OPTIONS = Symbol('SELLER_STORE_INFO_PLUGIN_OPTIONS');
export const loggerCtx = 'SellerStoreInfoPlugin';

/**
 * Verifying and un-verifying marketplace sellers (`verifySeller`, `unverifySeller`). SuperAdmins
 * hold it implicitly; give it to a role to let others verify sellers.
 */
export const verifySellerPermission = new PermissionDefinition({
    name: 'VerifySeller',
    description: 'Allows verifying and un-verifying marketplace sellers (what they sell shows in the shop)',
});
