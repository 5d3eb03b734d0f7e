import { lookup, LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

import { embeddedIpv4 } from '../../shared/ip-address';

/** The longest endpoint URL staff may save. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/**
 * Addresses a webhook must not reach unless `allowPrivateTargets` is on: loopback, private,
 * link-local, carrier-grade NAT, documentation, benchmarking, multicast and reserved ranges, and
 * their IPv6 counterparts (IPv4-mapped and NAT64 addresses are checked as the IPv4 they carry;
 * IPv4-compatible, SIIT, local NAT64, Teredo and 6to4 addresses are refused).
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
] as Array<[string, number]>) {
    NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
    // Unspecified, loopback and IPv4-compatible (::a.b.c.d).
    ['::', 96],
    ['::1', 128],
    // SIIT (::ffff:0:a.b.c.d), local-use NAT64, Teredo and 6to4: each can carry an IPv4 address
    // to a relay; no webhook receiver needs them.
    ['::ffff:0:0:0', 96],
    ['64:ff9b:1::', 48],
    ['2001::', 32],
    ['2002::', 16],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
] as Array<[string, number]>) {
    NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6) is not a public internet address. Anything that is no IP counts as not public. */
export function isNonPublicAddress(address: string): boolean {
    const family = isIP(address);
    if (family === 4) return NON_PUBLIC.check(address, 'ipv4');
    if (family !== 6) return true;
    if (NON_PUBLIC.check(address, 'ipv6')) return true;
    const v4 = embeddedIpv4(address);
    return v4 !== undefined && NON_PUBLIC.check(v4, 'ipv4');
}

/** A URL's host without the brackets of an IPv6 literal. */
function bareHost(url: URL): string {
    return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Why staff cannot save this endpoint URL, or undefined when they can: an absolute http or https
 * URL of at most {@link MAX_WEBHOOK_URL_LENGTH} characters, without user name or password, and,
 * unless private targets are allowed, not a non-public IP address or a local host name. A host name
 * is checked again, once resolved, at every send.
 */
export function webhookUrlProblem(value: string, allowPrivateTargets: boolean): string | undefined {
    if (value.length > MAX_WEBHOOK_URL_LENGTH) {
        return `The URL is too long: at most ${MAX_WEBHOOK_URL_LENGTH} characters (got ${value.length})`;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return 'The URL is not a valid absolute URL, e.g. https://example.com/hooks/delivery';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return `The URL must start with https:// or http:// (not ${url.protocol})`;
    }
    if (url.username || url.password) {
        return 'The URL must not contain a user name or password: the signature authenticates the request';
    }
    if (!url.hostname) return 'The URL has no host';
    if (allowPrivateTargets) return undefined;
    const host = bareHost(url).toLowerCase();
    if (isIP(host) && isNonPublicAddress(host)) {
        return `The URL points at ${host}, a private, loopback or link-local address: webhooks go to public addresses only`;
    }
    if (
        host === 'localhost' ||
        host.endsWith('.localhost') ||
        host.endsWith('.local') ||
        !host.includes('.')
    ) {
        return `The URL's host "${host}" is a local name: webhooks go to public hosts only`;
    }
    return undefined;
}

/** Thrown by {@link guardedLookup} when a host resolves to an address a webhook must not reach. */
export class NonPublicTargetError extends Error {
    constructor(
        readonly host: string,
        readonly address: string,
    ) {
        super(`${host} resolves to ${address}, a private, loopback or link-local address: not sent`);
        this.name = 'NonPublicTargetError';
    }
}

type LookupCallback = (
    error: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
) => void;

/**
 * A `lookup` for `http.request`: resolves the host and refuses it when any of its addresses is not
 * public (unless allowed), so the connection goes to an address that was checked; a DNS answer
 * that changes between a check and the connection (DNS rebinding) cannot slip through.
 */
export function guardedLookup(allowPrivateTargets: boolean) {
    return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
        lookup(hostname, { all: true }, (error, addresses) => {
            if (error) return callback(error, []);
            const refused = allowPrivateTargets
                ? undefined
                : addresses.find(entry => isNonPublicAddress(entry.address));
            if (refused) return callback(new NonPublicTargetError(hostname, refused.address), []);
            if (options.all) return callback(null, addresses);
            const [first] = addresses;
            if (!first)
                return callback(
                    Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
                    [],
                );
            callback(null, first.address, first.family);
        });
    };
}
