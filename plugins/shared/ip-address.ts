import { BlockList, isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

/**
 * IPv4-mapped (`::ffff:0:0/96`) and NAT64 well-known (`64:ff9b::/96`, RFC 6052) addresses. Matched
 * with node's parser: ipaddr.js reads the deprecated IPv4-compatible `::a.b.c.d` as IPv4-mapped,
 * and its `rfc6052` range also holds the local-use prefix 64:ff9b:1::/48.
 */
const CARRIES_IPV4 = new BlockList();
CARRIES_IPV4.addSubnet('::ffff:0:0', 96, 'ipv6');
CARRIES_IPV4.addSubnet('64:ff9b::', 96, 'ipv6');

/**
 * The IPv4 address an IPv6 address carries, in dotted form: IPv4-mapped (`::ffff:a.b.c.d`, as a
 * dual-stack socket reports an IPv4 peer) or behind the NAT64 well-known prefix (`64:ff9b::/96`),
 * in any spelling (`::ffff:7f00:1` too). Undefined for any other address, and for anything that is
 * not an IPv6 address.
 */
export function embeddedIpv4(address: string): string | undefined {
    if (isIP(address) !== 6 || !CARRIES_IPV4.check(address, 'ipv6')) return undefined;
    // A zone index means nothing on these addresses (and ipaddr.js takes fewer spellings of one).
    const [high, low] = ipaddr.IPv6.parse(address.split('%')[0]).parts.slice(6);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
