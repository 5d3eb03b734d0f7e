import { Injector, RequestContext, TransactionalConnection } from '@vendure/core';

import { PostalCodeLocation } from '../../entities/postal-code-location.entity';
import { PostalCodeGeocodingStrategy } from './postal-code-geocoding-strategy';

describe('PostalCodeGeocodingStrategy', () => {
    const ctx = RequestContext.empty();
    const rows = [
        Object.assign(new PostalCodeLocation(), {
            countryCode: 'GB',
            postalCode: 'SW1A 1AA',
            placeName: 'London',
            latitude: 51.501,
            longitude: -0.1416,
        }),
        Object.assign(new PostalCodeLocation(), {
            countryCode: 'DE',
            postalCode: '10178',
            placeName: null,
            latitude: 52.52,
            longitude: 13.41,
        }),
    ];
    const wheres: unknown[] = [];
    const connection = {
        getRepository: (_ctx: RequestContext, entity: unknown) => {
            expect(entity).toBe(PostalCodeLocation);
            return {
                findOne: ({ where }: { where: { countryCode: string; postalCode: string } }) => {
                    wheres.push(where);
                    return Promise.resolve(
                        rows.find(
                            row =>
                                row.countryCode === where.countryCode && row.postalCode === where.postalCode,
                        ) ?? null,
                    );
                },
            };
        },
    };
    const injector = { get: () => connection } as unknown as Injector;

    it('looks the code up trimmed and upper case', async () => {
        const strategy = new PostalCodeGeocodingStrategy();
        strategy.init(injector);
        await expect(strategy.geocode(ctx, { postalCode: ' sw1a 1aa', countryCode: 'gb ' })).resolves.toEqual(
            {
                postalCode: 'SW1A 1AA',
                countryCode: 'GB',
                latitude: 51.501,
                longitude: -0.1416,
                placeName: 'London',
            },
        );
        expect(wheres.at(-1)).toEqual({ countryCode: 'GB', postalCode: 'SW1A 1AA' });
    });

    it('leaves placeName out when the table has none, and answers undefined for an unknown code', async () => {
        const strategy = new PostalCodeGeocodingStrategy();
        strategy.init(injector);
        await expect(strategy.geocode(ctx, { postalCode: '10178', countryCode: 'DE' })).resolves.toEqual({
            postalCode: '10178',
            countryCode: 'DE',
            latitude: 52.52,
            longitude: 13.41,
        });
        await expect(
            strategy.geocode(ctx, { postalCode: '00000', countryCode: 'DE' }),
        ).resolves.toBeUndefined();
    });

    it('says how to fix a strategy used before init', async () => {
        await expect(
            new PostalCodeGeocodingStrategy().geocode(ctx, { postalCode: '10178', countryCode: 'DE' }),
        ).rejects.toThrow(/before init/);
    });

    it('gets the connection from the injector', () => {
        const get = jest.fn(() => connection);
        new PostalCodeGeocodingStrategy().init({ get } as unknown as Injector);
        expect(get).toHaveBeenCalledWith(TransactionalConnection);
    });
});
