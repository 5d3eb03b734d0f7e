import ipaddr from 'ipaddr.js';

const NAT64_WELL_KNOWN = ipaddr.IPv6.parse('64:ff9b::');

/**
 * The IPv4 address an IPv6 address carries, in dotted form: IPv4-mapped (`::ffff:a.b.c.d`, as a
 * dual-stack socket reports an IPv4 peer) or behind the NAT64 well-known prefix (`64:ff9b::/96`,
 * RFC 6052), in any spelling (`::ffff:7f00:1` too). Undefined for any other address, and for
 * anything that is not an IPv6 address.
 */
export function embeddedIpv4(address: string): string | undefined {
    if (!ipaddr.IPv6.isValid(address)) return undefined;
    const parsed = ipaddr.IPv6.parse(address);
    if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
    // Not ipaddr.js's `rfc6052` range, which also holds the local-use prefix 64:ff9b:1::/48.
    if (!parsed.match(NAT64_WELL_KNOWN, 96)) return undefined;
    const [high, low] = parsed.parts.slice(6);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
