import ipaddr from 'ipaddr.js';

/**
 * Entries of an address list (PRIVATE_NETWORK_ALLOWLIST, TRUSTED_PROXIES): IPv4 addresses in dotted-quad form, IPv6 addresses, or either
 * as a CIDR range. Parsed with ipaddr.js rather than matched by characters, so `1.2.3.4.5`,
 * `10.0.0.0/33` or the legacy `0x7f.1` forms are refused instead of silently allowing nothing.
 */
export function isAllowlistEntry(entry: string): boolean {
  return (
    ipaddr.IPv4.isValidFourPartDecimal(entry) ||
    ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) ||
    ipaddr.IPv6.isValid(entry) ||
    ipaddr.IPv6.isValidCIDR(entry)
  );
}

/** The comma-separated entries of `value` (blank ones skipped) and those that are not addresses or ranges. */
export function parseNetworkAllowlist(value: string): { entries: string[]; invalid: string[] } {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return { entries, invalid: entries.filter((entry) => !isAllowlistEntry(entry)) };
}
