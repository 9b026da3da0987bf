import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, type TwitterApiErrorData } from 'twitter-api-v2';
import type { PublishFailure } from '../platform-provider.js';

const MAX_DETAIL_LENGTH = 300;

/** Network errors raised before a request could be sent: X never saw it, so resending is safe. */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|certificate|self[- ]signed|CERT_/i;
const DUPLICATE = /duplicate content/i;
/** What X's token endpoint answers (400) when a code or refresh token is spent, revoked or wrong. */
const REJECTED_GRANTS = new Set(['invalid_request', 'invalid_grant']);

/**
 * Maps whatever a call to X threw to what the worker should do about it:
 * - 429 and requests that never left (connection refused, DNS, TLS) are `retryable`;
 * - 5xx, 408, timeouts, resets and cut-off responses are `unknown`: the post may have landed;
 * - every other answer from X is `permanent` (a 403 for duplicate content is flagged `duplicate`; a 401
 *   for a user token, or the token endpoint refusing a grant, flags `credentialsRejected`, but not a 401
 *   for Herald's own app).
 * Messages quote X's own explanation and never include the access token.
 */
export function classifyXError(error: unknown, now: number = Date.now()): PublishFailure {
  if (error instanceof ApiResponseError) return classifyResponse(error, now);

  if (error instanceof ApiPartialResponseError) {
    return {
      kind: 'unknown',
      message: redact(`X's response was cut off: ${messageOf(error.responseError) ?? error.message}`),
      statusCode: (error.response as IncomingMessage | undefined)?.statusCode,
    };
  }

  if (error instanceof ApiRequestError) {
    const cause = messageOf(requestErrorCause(error));
    const code = codeOf(requestErrorCause(error));
    const reason = cause === 'Request timeout.' ? 'request timed out' : (cause ?? error.message);
    const notSent = NOT_SENT.test(`${code ?? ''} ${reason}`);
    return { kind: notSent ? 'retryable' : 'unknown', message: redact(`Could not reach X: ${reason}`) };
  }

  const message = messageOf(error) ?? String(error);
  return { kind: 'unknown', message: redact(message || 'Unknown error while calling X') };
}

function classifyResponse(error: ApiResponseError, now: number): PublishFailure {
  const status = error.code;
  const detail = describeBody(error.data);

  if (status === 429) {
    const retryAfterMs = rateLimitResetMs(error, now);
    const resetsAt = retryAfterMs === undefined ? '' : `; resets at ${new Date(now + retryAfterMs).toISOString()}`;
    const message = `X rate limit reached (429)${resetsAt}`;
    return { kind: 'retryable', message, statusCode: status, retryAfterMs, rateLimited: true };
  }
  if (status >= 500) {
    return { kind: 'unknown', message: withDetail(`X server error (${status})`, detail), statusCode: status };
  }
  if (status === 408) {
    const message = withDetail(`X timed out the request (${status})`, detail);
    return { kind: 'unknown', message, statusCode: status };
  }
  if (status === 401 && typeof error.data?.error === 'string') {
    // The token endpoint answers 401 (OAuth body) when it is Herald's app that X does not recognise:
    // every account would be refused, and reconnecting them would not help, so none is disconnected.
    const message = withDetail(`X rejected Herald's app (X_CLIENT_ID/X_CLIENT_SECRET) (${status})`, detail);
    return { kind: 'permanent', message, statusCode: status };
  }
  if (status === 401) {
    const message = withDetail(`X rejected the access token (${status})`, detail);
    return { kind: 'permanent', message, statusCode: status, credentialsRejected: true };
  }
  if (status === 400 && isRejectedGrant(error.data)) {
    const message = withDetail(`X refused the authorization grant (${status})`, detail);
    return { kind: 'permanent', message, statusCode: status, credentialsRejected: true };
  }
  const message = withDetail(`X rejected the post (${status})`, detail);
  const duplicate = status === 403 && DUPLICATE.test(detail ?? '');
  return { kind: 'permanent', message, statusCode: status, ...(duplicate ? { duplicate } : {}) };
}

/**
 * X v2 error bodies are `{ title, detail, type, status }`, sometimes with `errors: [{ message }]` holding the
 * specific reason (when `detail` is the generic "One or more parameters ... was invalid."). The OAuth token
 * endpoint answers `{ error, error_description }` instead (twitter-api-v2 copies `error` into `errors`).
 */
function describeBody(data: TwitterApiErrorData | undefined): string | undefined {
  if (!data || typeof data !== 'object') return typeof data === 'string' && data ? data : undefined;
  const oauthDescription = (data as { error_description?: unknown }).error_description;
  const messages = (data.errors ?? [])
    .map((item) => (item && typeof item === 'object' && 'message' in item ? item.message : undefined))
    .filter((message): message is string => typeof message === 'string' && message.length > 0);
  const text =
    typeof oauthDescription === 'string' && oauthDescription !== ''
      ? oauthDescription
      : messages.length > 0
        ? messages.join('; ')
        : (data.detail ?? data.title ?? data.error);
  return text ? redact(text).slice(0, MAX_DETAIL_LENGTH) : undefined;
}

function isRejectedGrant(data: TwitterApiErrorData | undefined): boolean {
  return typeof data?.error === 'string' && REJECTED_GRANTS.has(data.error);
}

const withDetail = (prefix: string, detail: string | undefined) => (detail ? `${prefix}: ${detail}` : prefix);

/**
 * How long until X accepts calls again. An exhausted 24-hour limit (user or app) outlasts the 15-minute
 * window, so it wins; otherwise x-rate-limit-reset, then Retry-After.
 */
function rateLimitResetMs(error: ApiResponseError, now: number): number | undefined {
  const limits = error.rateLimit;
  const exhaustedDaily = [limits?.userDay, limits?.day].find((limit) => limit?.remaining === 0 && limit.reset > 0);
  const resetSeconds = exhaustedDaily?.reset ?? limits?.reset;
  if (resetSeconds !== undefined && Number.isFinite(resetSeconds) && resetSeconds > 0) {
    return Math.max(0, resetSeconds * 1000 - now);
  }
  return retryAfterMs(error.headers, now);
}

function retryAfterMs(headers: IncomingHttpHeaders | undefined, now: number): number | undefined {
  const value = headers?.['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The network error behind an ApiRequestError. twitter-api-v2 1.29 builds it with `{ error }` but its
 * `requestError` getter reads `requestError`, so the getter is always undefined: read both.
 */
function requestErrorCause(error: ApiRequestError): unknown {
  const options = (error as unknown as { _options?: { error?: unknown; requestError?: unknown } })._options;
  return error.requestError ?? options?.requestError ?? options?.error;
}

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * An error's message, checked by shape rather than `instanceof Error`: errors raised by Node's own
 * sockets come from another realm under jest's VM modules, and `instanceof` fails there.
 */
function messageOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = (value as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
}

/** A last line of defence: no bearer token ever leaves in a message. */
function redact(message: string): string {
  return message.replace(/(Bearer\s+)[^\s,;"']+/gi, '$1[redacted]');
}
