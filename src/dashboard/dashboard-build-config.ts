import { VendureConfig } from '@vendure/core';

import { createVendureConfig } from '../../vendure-config';
import { readSettings } from '../runtime/settings';

/**
 * The configuration the dashboard build (vite.config.mts) reads: the project's plugins and custom
 * fields, from which it finds the dashboard extensions and builds the admin API schema. Never
 * started, so the database connection is a placeholder.
 */
export const dashboardBuildConfig: VendureConfig = createVendureConfig(readSettings({ DEMO_DATA: 'false' }), {
    host: 'localhost',
    port: 5432,
    username: 'unused',
    password: 'unused',
    database: 'unused',
});
