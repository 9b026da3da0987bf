import ipaddr from 'ipaddr.js';

/** IPv6 networks commonly hand a whole /64 to one subscriber: counting per address would let one client rotate. */
const IPV6_SUBSCRIBER_PREFIX = 64;

/**
 * Whose per-address budgets a request counts against: the IPv4 address (also when written IPv4-mapped,
 * `::ffff:1.2.3.4`), or the /64 network of an IPv6 address. `address` is Express's `request.ip`,
 * which already honours TRUSTED_PROXIES; undefined when the socket is gone.
 */
export function rateLimitSubject(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).toByteArray().slice(0, IPV6_SUBSCRIBER_PREFIX / 8);
  const network = ipaddr.fromByteArray([...parts, ...new Array<number>(8).fill(0)]);
  return `${network.toString()}/${IPV6_SUBSCRIBER_PREFIX}`;
}
