import { embeddedIpv4 } from './ip-address';

describe('embeddedIpv4', () => {
    it.each([
        ['::ffff:127.0.0.1', '127.0.0.1'],
        ['::ffff:7f00:1', '127.0.0.1'],
        ['::FFFF:C0A8:0101', '192.168.1.1'],
        ['0:0:0:0:0:ffff:8.8.8.8', '8.8.8.8'],
        ['64:ff9b::a00:1', '10.0.0.1'],
        ['64:ff9b::203.0.113.9', '203.0.113.9'],
        ['0064:ff9b:0:0:0:0:a00:1', '10.0.0.1'],
    ])('finds the IPv4 address in %s', (address, ipv4) => {
        expect(embeddedIpv4(address)).toBe(ipv4);
    });

    it.each([
        // SIIT and local-use NAT64 carry an IPv4 address too, but are not read as one.
        '::ffff:0:a9fe:a9fe',
        '64:ff9b:1::a9fe:a9fe',
        // IPv4-compatible (deprecated), as dns.lookup prints an AAAA record in ::/96.
        '::8.8.8.8',
        '2001:db8::1',
        '::1',
        '127.0.0.1',
        'localhost',
        '',
    ])('finds none in %s', address => {
        expect(embeddedIpv4(address)).toBeUndefined();
    });
});
