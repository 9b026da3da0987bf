import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface OutboundAgents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /**
   * Connections must go straight to the target, never through HTTP(S)_PROXY: through a proxy, the guard
   * would check only the proxy's address.
   */
  direct: boolean;
}

/**
 * The guard refused an address. The message leaves the address out: a caller who typed the URL
 * must not learn what it resolves to inside Herald's network.
 */
export class AddressNotAllowedError extends Error {
  constructor() {
    super('address not allowed');
    this.name = 'AddressNotAllowedError';
  }
}

/**
 * Agents for URLs a user gave us (remote media, a Mastodon instance): every connection, redirects
 * included, is checked after DNS resolution, so no name can lead to a private, loopback, link-local
 * or metadata address (SSRF). `allowList` (IPs or CIDRs, from PRIVATE_NETWORK_ALLOWLIST) opens exceptions,
 * e.g. for a self-hosted instance on the local network.
 */
export function guardedAgents(allowList: readonly string[]): OutboundAgents {
  const options = { keepAlive: true, allowIPAddressList: [...allowList] };
  return {
    httpAgent: new RequestFilteringHttpAgent(options),
    httpsAgent: new RequestFilteringHttpsAgent(options),
    direct: true,
  };
}

/** Agents for fixed platform hosts (from configuration, so trusted). */
export function trustedAgents(): OutboundAgents {
  return {
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
    direct: false,
  };
}

/** Whether an error is the outbound guard refusing an address. */
export function isBlockedAddress(error: unknown): boolean {
  if (error instanceof AddressNotAllowedError) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /^DNS lookup .* is not allowed/.test(message);
}
