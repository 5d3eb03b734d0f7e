import { promises as fs } from 'node:fs';

import { E2E_ENV } from '../config/e2e-env';
import { getServices } from './services';

export default async function globalTeardown(): Promise<void> {
    const { postgres, redis } = getServices();
    await Promise.all([postgres?.stop(), redis?.stop()]);
    const tmp = process.env[E2E_ENV.tmpDir];
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
}
