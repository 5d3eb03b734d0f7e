import { parseSimulationOptions, UsageError } from './simulation-options';

describe('parseSimulationOptions', () => {
    it('has the issue defaults: the embedded demo, 20 km/h, pings every 15 s', () => {
        expect(parseSimulationOptions([], {})).toMatchObject({
            url: 'http://localhost:3000',
            drivers: 20,
            profile: 'steady',
            minutes: 2,
            seed: 1,
            speedKmh: 20,
            pingSeconds: 15,
            json: false,
            adminUsername: 'superadmin',
        });
        expect(parseSimulationOptions([], { PORT: '4000' }).url).toBe('http://localhost:4000');
    });

    it('reads every option', () => {
        const options = parseSimulationOptions(
            [
                '--url',
                'http://127.0.0.1:3100/',
                '--drivers',
                '5',
                '--orders-per-minute',
                '2.5',
                '--minutes',
                '0.5',
                '--speedup',
                '30',
                '--seed',
                '7',
                '--speed-kmh',
                '25',
                '--ping-seconds',
                '10',
                '--decline-rate',
                '0.2',
                '--fail-rate',
                '0',
                '--profile',
                'peak',
                '--json',
            ],
            {},
        );
        expect(options).toMatchObject({
            url: 'http://127.0.0.1:3100',
            drivers: 5,
            ordersPerMinute: 2.5,
            minutes: 0.5,
            speedup: 30,
            seed: 7,
            speedKmh: 25,
            pingSeconds: 10,
            declineRate: 0.2,
            failRate: 0,
            profile: 'peak',
            json: true,
        });
    });

    it('refuses another host unless --allow-remote, and says why', () => {
        expect(() => parseSimulationOptions(['--url', 'https://shop.example.com'], {})).toThrow(
            /--allow-remote/,
        );
        expect(parseSimulationOptions(['--url', 'https://shop.example.com', '--allow-remote'], {}).url).toBe(
            'https://shop.example.com',
        );
    });

    it('refuses bad values with the option name', () => {
        expect(() => parseSimulationOptions(['--drivers', '0'], {})).toThrow(/--drivers/);
        expect(() => parseSimulationOptions(['--drivers', '2.5'], {})).toThrow(/whole number/);
        expect(() => parseSimulationOptions(['--profile', 'rush'], {})).toThrow(/steady or peak/);
        // A ping interval past the 45 s heartbeat would take every driver OFFLINE.
        expect(() => parseSimulationOptions(['--ping-seconds', '60'], {})).toThrow(/--ping-seconds/);
        expect(() => parseSimulationOptions(['--nope'], {})).toThrow(UsageError);
    });
});
