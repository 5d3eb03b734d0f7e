/**
 * The stock location's opening hours in a real browser: Debian's chromium driven by playwright-core
 * against the built demo (`npm start`). Staff edit the weekly form on the stock location page; a
 * range the server cannot read is refused with its message and nothing is saved; a valid week with
 * a holiday is saved as the schedule the API returns; "no schedule" clears it.
 */
import { graphql } from './utils/app-process';
import { DashboardSession, OPEN_DASHBOARD_TIMEOUT, openDashboard } from './utils/dashboard-session';

const TEST_TIMEOUT = 120_000;

describe('opening hours on the stock location page (headless chromium)', () => {
    let session: DashboardSession;
    let storeId = '';

    async function storedHours(): Promise<string | null> {
        const { data } = await graphql<{ stockLocation: { customFields: { openingHours: string | null } } }>(
            session.port,
            'admin-api',
            'query ($id: ID!) { stockLocation(id: $id) { customFields { openingHours } } }',
            session.staffToken,
            { id: storeId },
        );
        return data.stockLocation.customFields.openingHours;
    }

    async function openStorePage() {
        const { page, base } = session;
        await page.goto(`${base}/stock-locations/${storeId}`);
        await page.getByTestId('opening-hours-editor').waitFor();
    }

    async function save() {
        await session.page.getByRole('button', { name: 'Update', exact: true }).click();
    }

    beforeAll(async () => {
        session = await openDashboard('store-hours-dashboard', { DEMO_FLEET: 'false' });
        const { data } = await graphql<{
            stockLocations: { items: Array<{ id: string; customFields: { openingHours: string | null } }> };
        }>(
            session.port,
            'admin-api',
            '{ stockLocations(options: { take: 100 }) { items { id customFields { openingHours } } } }',
            session.staffToken,
        );
        const scheduled = data.stockLocations.items.find(store => store.customFields.openingHours);
        if (!scheduled) throw new Error('The demo has no store with opening hours');
        storeId = scheduled.id;
    }, OPEN_DASHBOARD_TIMEOUT);

    afterAll(async () => {
        await session?.close();
    });

    it(
        'shows the stored week one line per day',
        async () => {
            await session.withScreenshot('shown', async () => {
                await openStorePage();
                const stored = JSON.parse((await storedHours()) ?? '{}') as Record<string, string[]>;
                const { page } = session;
                expect(await page.getByTestId('opening-hours-enabled').isChecked()).toBe(true);
                for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
                    expect(await page.getByTestId(`opening-hours-${day}`).inputValue()).toBe(
                        (stored[day] ?? []).join(', '),
                    );
                }
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'refuses a range it cannot read with the reason, and saves nothing',
        async () => {
            await session.withScreenshot('refused', async () => {
                const before = await storedHours();
                const { page } = session;
                await page.getByTestId('opening-hours-mon').fill('8-20');
                await save();
                await page.getByText('is not a range like "08:00-20:00"').first().waitFor();
                expect(await page.getByText('"mon": "8-20" is not a range like "08:00-20:00"').count()).toBe(
                    1,
                );
                expect(await storedHours()).toBe(before);
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'saves a week with split hours, a closed day and a holiday as the schedule',
        async () => {
            await session.withScreenshot('saved', async () => {
                await openStorePage();
                const { page } = session;
                const week: Record<string, string> = {
                    mon: '08:00-12:00, 13:00-20:00',
                    tue: '08:00-20:00',
                    wed: '',
                    thu: 'closed',
                    fri: '18:00-02:00',
                    sat: '09:00-14:00',
                    sun: '',
                };
                for (const [day, hours] of Object.entries(week)) {
                    await page.getByTestId(`opening-hours-${day}`).fill(hours);
                }
                await page
                    .getByTestId('opening-hours-exceptions')
                    .fill('2026-12-25: closed\n2026-12-31: 08:00-14:00');
                await save();
                await page.getByText('Successfully updated stock location').first().waitFor();
                expect(JSON.parse((await storedHours()) ?? 'null')).toEqual({
                    mon: ['08:00-12:00', '13:00-20:00'],
                    tue: ['08:00-20:00'],
                    fri: ['18:00-02:00'],
                    sat: ['09:00-14:00'],
                    exceptions: { '2026-12-25': [], '2026-12-31': ['08:00-14:00'] },
                });
                // After a reload the form shows what was saved.
                await openStorePage();
                expect(await page.getByTestId('opening-hours-mon').inputValue()).toBe(
                    '08:00-12:00, 13:00-20:00',
                );
                expect(await page.getByTestId('opening-hours-thu').inputValue()).toBe('');
                expect(await page.getByTestId('opening-hours-exceptions').inputValue()).toBe(
                    '2026-12-25: closed\n2026-12-31: 08:00-14:00',
                );
            });
        },
        TEST_TIMEOUT,
    );

    it(
        'clears the schedule when "has opening hours" is unchecked',
        async () => {
            await session.withScreenshot('cleared', async () => {
                const { page } = session;
                await page.getByTestId('opening-hours-enabled').uncheck();
                expect(await page.getByTestId('opening-hours-mon').count()).toBe(0);
                await save();
                await page.getByText('Successfully updated stock location').first().waitFor();
                expect(await storedHours()).toBeNull();
            });
        },
        TEST_TIMEOUT,
    );

    it('logged no console errors on the way', () => {
        expect(session.consoleErrors).toEqual([]);
    });
});
