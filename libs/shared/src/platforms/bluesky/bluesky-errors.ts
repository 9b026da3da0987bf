import { XRPCError } from '@atproto/api';
import { redact, retryAfterFromHeaders } from '../http/platform-http.js';
import type { PublishFailure } from '../platform-provider.js';

const MAX_DETAIL_LENGTH = 300;
/** @atproto/xrpc's status for "no answer" (network, timeout) and for an answer it could not read. */
const NO_RESPONSE = 1;
const INVALID_RESPONSE = 2;
/** Failures before a request left (refused, no DNS, TLS): the PDS never saw it, so resending is safe. */
const NOT_SENT =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|CERT_|certificate|self[- ]signed/i;

/**
 * Maps whatever a call to the PDS threw (an XRPCError from @atproto/api, whose `status` is the HTTP
 * status or 1 when no answer came) to what the worker should do:
 * - 429 and requests that never left are `retryable`; 429s carry `ratelimit-reset` (epoch seconds);
 * - 5xx, timeouts, resets and unreadable answers are `unknown`: the post may exist;
 * - 401, and a token the PDS cannot verify (400 InvalidToken), reject the credentials;
 * - 400 ExpiredToken is `retryable`: nothing happened, and the next attempt signs in afresh;
 * - any other answer is `permanent`, quoting the PDS (`InvalidRequest: Invalid app.bsky.feed.post record: …`).
 * Bluesky has no duplicate-post answer.
 */
export function classifyBlueskyError(error: unknown, now: number = Date.now()): PublishFailure {
  if (!(error instanceof XRPCError)) {
    return { kind: 'unknown', message: redact(messageOf(error) ?? 'Unknown error while calling Bluesky') };
  }
  const status: number = error.status;
  if (status === NO_RESPONSE) return classifyUnanswered(error);
  if (status === INVALID_RESPONSE) {
    return {
      kind: 'unknown',
      message: redact(`Bluesky answered with a response Herald could not read: ${error.message}`),
    };
  }

  const detail = describe(error);
  if (status === 429) {
    const retryAfterMs = retryAfterFromHeaders(error.headers, now);
    const resetsAt = retryAfterMs === undefined ? '' : `; resets at ${new Date(now + retryAfterMs).toISOString()}`;
    return {
      kind: 'retryable',
      message: `Bluesky rate limit reached (429${policyOf(error)})${resetsAt}`,
      statusCode: status,
      rateLimited: true,
      retryAfterMs,
    };
  }
  if (status >= 500) {
    return { kind: 'unknown', message: `Bluesky server error (${status}): ${detail}`, statusCode: status };
  }
  if (status === 401 || error.error === 'InvalidToken') {
    return {
      kind: 'permanent',
      message: `Bluesky rejected the credentials (${status}): ${detail}`,
      statusCode: status,
      credentialsRejected: true,
    };
  }
  if (error.error === 'ExpiredToken') {
    return { kind: 'retryable', message: `Bluesky session expired (${status}): ${detail}`, statusCode: status };
  }
  return { kind: 'permanent', message: `Bluesky rejected the request (${status}): ${detail}`, statusCode: status };
}

/** The status of an XRPC error: the HTTP status, or 1 (no answer) or 2 (an unreadable one); undefined for other errors. */
export function xrpcStatus(error: unknown): number | undefined {
  if (!(error instanceof XRPCError)) return undefined;
  const status: number = error.status;
  return status;
}

/** No answer: a timeout or a cut connection may have landed; a refused connection did not. */
function classifyUnanswered(error: XRPCError): PublishFailure {
  const causes = causeChain(error);
  const timedOut = causes.some((cause) => cause.name === 'TimeoutError' || cause.name === 'AbortError');
  const codes = causes.map((cause) => `${cause.code ?? ''} ${cause.message ?? ''}`).join(' ');
  const reason = timedOut ? 'request timed out' : (causes.at(-1)?.message ?? error.message);
  const kind = !timedOut && NOT_SENT.test(codes) ? 'retryable' : 'unknown';
  return { kind, message: redact(`Could not reach Bluesky: ${reason}`) };
}

/** The XRPC error name and message, e.g. "RateLimitExceeded: Rate Limit Exceeded". */
function describe(error: XRPCError): string {
  const text = error.message && error.message !== error.error ? `${error.error}: ${error.message}` : error.error;
  return redact(text).slice(0, MAX_DETAIL_LENGTH);
}

/** ", limit 30;w=300": the message tells which limit ran out (sign-ins, writes, requests). */
function policyOf(error: XRPCError): string {
  const policy = error.headers?.['ratelimit-policy'];
  return policy ? `, limit ${policy}` : '';
}

interface CauseLike {
  name?: string;
  code?: string;
  message?: string;
}

/**
 * The errors behind an error, outermost first. Read by shape, not `instanceof`: errors raised by
 * Node's own sockets come from another realm under jest's VM modules.
 */
function causeChain(error: unknown): CauseLike[] {
  const chain: CauseLike[] = [];
  let current: unknown = (error as { cause?: unknown }).cause;
  while (typeof current === 'object' && current !== null && chain.length < 5) {
    const { name, code, message } = current as Record<string, unknown>;
    chain.push({
      name: typeof name === 'string' ? name : undefined,
      code: typeof code === 'string' ? code : undefined,
      message: typeof message === 'string' ? message : undefined,
    });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function messageOf(value: unknown): string | undefined {
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}
