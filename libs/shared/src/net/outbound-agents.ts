import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface OutboundAgents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/**
 * Agents for URLs a user gave us (remote media, a Mastodon instance): every connection, redirects
 * included, is checked after DNS resolution, so no name can lead to a private, loopback, link-local
 * or metadata address (SSRF). `allowList` (IPs or CIDRs, from PRIVATE_NETWORK_ALLOWLIST) opens exceptions,
 * e.g. for a self-hosted instance on the local network.
 */
export function guardedAgents(allowList: readonly string[]): OutboundAgents {
  const options = { keepAlive: true, allowIPAddressList: [...allowList] };
  return { httpAgent: new RequestFilteringHttpAgent(options), httpsAgent: new RequestFilteringHttpsAgent(options) };
}

/** Agents for fixed platform hosts (from configuration, so trusted). */
export function trustedAgents(): OutboundAgents {
  return { httpAgent: new http.Agent({ keepAlive: true }), httpsAgent: new https.Agent({ keepAlive: true }) };
}

/** Whether an error is the outbound guard refusing an address. */
export function isBlockedAddress(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /^DNS lookup .* is not allowed/.test(message);
}
