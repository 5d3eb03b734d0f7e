import { isNonPublicAddress, MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from './webhook-target';

describe('webhook targets', () => {
    it.each([
        '127.0.0.1',
        '10.1.2.3',
        '172.16.0.1',
        '172.31.255.255',
        '192.168.1.1',
        '169.254.169.254',
        '100.64.0.1',
        '0.0.0.0',
        '224.0.0.1',
        '::1',
        '::',
        'fe80::1',
        'fd00::1',
        '::ffff:127.0.0.1',
        '::ffff:7f00:1',
        '64:ff9b::a00:1',
        '0064:ff9b:0:0:0:0:a00:1',
        // IPv4-compatible, SIIT, local NAT64, Teredo and 6to4 (here carrying 169.254.169.254).
        '::a9fe:a9fe',
        // The same written dotted, as dns.lookup prints an AAAA record in ::/96; and 8.8.8.8 so.
        '::169.254.169.254',
        '::8.8.8.8',
        '::ffff:0:a9fe:a9fe',
        '64:ff9b:1::a9fe:a9fe',
        '2001:0:4136:e378:8000:63bf:5601:5601',
        '2002:a9fe:a9fe::1',
        'not-an-ip',
    ])('%s is not public', address => {
        expect(isNonPublicAddress(address)).toBe(true);
    });

    it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
        '%s is public',
        address => {
            expect(isNonPublicAddress(address)).toBe(false);
        },
    );

    it('accepts public http and https URLs', () => {
        expect(webhookUrlProblem('https://hooks.example.com/delivery', false)).toBeUndefined();
        expect(webhookUrlProblem('http://93.184.216.34:8080/x', false)).toBeUndefined();
    });

    it.each([
        ['not a URL', 'hooks.example.com/delivery', /not a valid absolute URL/],
        ['another scheme', 'ftp://hooks.example.com/', /https:\/\/ or http:\/\//],
        ['javascript', 'javascript:alert(1)', /https:\/\/ or http:\/\//],
        ['credentials', 'https://user:pw@hooks.example.com/', /user name or password/],
        ['loopback', 'http://127.0.0.1:3000/hook', /private, loopback or link-local/],
        ['metadata service', 'http://169.254.169.254/latest', /private, loopback or link-local/],
        ['IPv6 loopback', 'http://[::1]:3000/', /private, loopback or link-local/],
        ['localhost', 'http://localhost:3000/', /local name/],
        ['a bare host name', 'http://intranet/hook', /local name/],
        ['too long', `https://example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH)}`, /too long/],
    ])('refuses %s', (_label, url, message) => {
        expect(webhookUrlProblem(url, false)).toMatch(message);
    });

    it('accepts private targets when they are allowed, never other schemes', () => {
        expect(webhookUrlProblem('http://127.0.0.1:3000/hook', true)).toBeUndefined();
        expect(webhookUrlProblem('http://localhost:3000/', true)).toBeUndefined();
        expect(webhookUrlProblem('file:///etc/passwd', true)).toMatch(/https:\/\/ or http:\/\//);
    });
});
