/** Environment variables through which the global setup tells the suites where the services are. */
export const E2E_ENV = {
    pgHost: 'E2E_PG_HOST',
    pgPort: 'E2E_PG_PORT',
    pgUser: 'E2E_PG_USER',
    pgPassword: 'E2E_PG_PASSWORD',
    redisUrl: 'E2E_REDIS_URL',
    tmpDir: 'E2E_TMP_DIR',
} as const;

export function e2eEnv(name: keyof typeof E2E_ENV): string {
    const value = process.env[E2E_ENV[name]];
    if (!value) throw new Error(`${E2E_ENV[name]} is not set: run the e2e suites through jest (npm test)`);
    return value;
}
