import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import type { OutboundAgents } from '../../net/outbound-agents.js';
import { AddressNotAllowedError, isBlockedAddress } from '../../net/outbound-agents.js';
import type { PublishFailure } from '../platform-provider.js';

const MAX_DETAIL_LENGTH = 300;
const ADDRESS_NOT_ALLOWED = 'address not allowed (a private or reserved network address; SSRF protection)';
/** Network errors raised before a request could be sent: the platform never saw it, so resending is safe. */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|CERT_|certificate|self[- ]signed/i;

/** Query parameters and fields that carry credentials (access_token, client_secret, fb_exchange_token, code...). */
const SECRET_NAME = /token|secret|password|code|signature|key/i;

/**
 * An axios client for one platform: its timeout, its agents (and no proxy when they are guarded), no
 * automatic redirects to other hosts, and errors safe to log (see {@link keepSecretsOutOfErrors}).
 */
export function createPlatformHttp(options: {
  baseURL?: string;
  timeoutMs: number;
  agents: OutboundAgents;
}): AxiosInstance {
  const http = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    httpAgent: options.agents.httpAgent,
    httpsAgent: options.agents.httpsAgent,
    maxRedirects: 0,
    maxBodyLength: 100 * 1024 * 1024,
    maxContentLength: 10 * 1024 * 1024,
    ...(options.agents.direct ? { proxy: false as const } : {}),
  });
  keepSecretsOutOfErrors(http);
  return http;
}

/**
 * Every error leaving a client is safe to log or serialise. Tokens travel in headers (Authorization),
 * in URLs (Telegram's bot token, Discord's webhook token, Graph's access_token) and in bodies (OAuth
 * client secrets), and an axios error holds all of them in its config and in every ClientRequest it
 * reaches (its own, and those its agents hold). So the config keeps only the method and the redacted
 * URL, and the requests are dropped; the response's status, headers and body stay for classification.
 * A guard refusal becomes an {@link AddressNotAllowedError}, whose message has no address.
 */
function keepSecretsOutOfErrors(http: AxiosInstance): void {
  http.interceptors.response.use(undefined, (error: unknown) => {
    if (!axios.isAxiosError(error)) throw error;
    if (isBlockedAddress(error) || isBlockedAddress(error.cause)) throw new AddressNotAllowedError();
    sanitise(error);
    throw error;
  });
}

function sanitise(error: AxiosError): void {
  const config = error.config && safeConfig(error.config);
  error.config = config;
  delete error.request;
  if (error.response) {
    delete error.response.request;
    if (config) error.response.config = config;
  }
}

function safeConfig(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
  const params = config.params as Record<string, unknown> | undefined;
  return {
    method: config.method,
    baseURL: config.baseURL && redactQuerySecrets(config.baseURL),
    url: config.url && redactQuerySecrets(redact(config.url)),
    params:
      params && typeof params === 'object'
        ? Object.fromEntries(
            Object.entries(params).map(([name, value]) => [name, SECRET_NAME.test(name) ? '[redacted]' : value]),
          )
        : undefined,
  } as InternalAxiosRequestConfig;
}

function redactQuerySecrets(url: string): string {
  return url.replace(/([?&][^=&#]*=)([^&#]*)/g, (whole: string, name: string) =>
    SECRET_NAME.test(name) ? `${name}[redacted]` : whole,
  );
}

/** How a platform's error answers read; everything else (timeouts, 5xx, 429) is common to all. */
export interface HttpErrorDialect {
  /** "Mastodon", "Telegram"... */
  platform: string;
  /** The platform's own explanation from an error body. */
  describe(data: unknown): string | undefined;
  /** The answer says the post exists already (evidence an earlier attempt landed). */
  isDuplicate?(status: number, detail: string | undefined, data: unknown): boolean;
  /** The answer means the credentials are revoked or invalid (default: status 401). */
  rejectsCredentials?(status: number, detail: string | undefined, data: unknown): boolean;
  /**
   * The host is one a user typed (a Mastodon instance): only the dialect's own fields are quoted, never a
   * plain-text body, which may be the answer of any service inside Herald's network.
   */
  hostChosenByUser?: boolean;
  /** A rate limit reported other than by status 429 (Facebook's error codes 4, 17, 32, 613). */
  isRateLimited?(status: number, data: unknown): boolean;
  /** When the body says when to come back (Telegram's parameters.retry_after). */
  retryAfterMsFromBody?(data: unknown): number | undefined;
}

/**
 * Maps whatever an axios call to a platform threw to what the worker should do about it:
 * - 429 (or the dialect's rate-limit answer) and requests that never left are `retryable`;
 * - 5xx, 408, timeouts, resets and cut-off responses are `unknown`: the post may have landed;
 * - every other answer is `permanent`; a 401 (or the dialect's equivalent) also rejects the credentials.
 * Messages quote the platform's own explanation and never include tokens.
 */
export function classifyHttpError(error: unknown, dialect: HttpErrorDialect, now: number = Date.now()): PublishFailure {
  const platform = dialect.platform;
  if (isBlockedAddress(error)) return { kind: 'permanent', message: `${platform}: ${ADDRESS_NOT_ALLOWED}` };
  if (!axios.isAxiosError(error)) {
    const message = (error as { message?: unknown } | null)?.message;
    return {
      kind: 'unknown',
      message: redact(typeof message === 'string' ? message : `Unknown error calling ${platform}`),
    };
  }
  const response = error.response;
  if (!response) {
    const code = error.code ?? '';
    const cause = error.cause as { code?: string; message?: string } | undefined;
    if (isBlockedAddress(cause)) return { kind: 'permanent', message: `${platform}: ${ADDRESS_NOT_ALLOWED}` };
    const reason = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'request timed out' : error.message;
    const notSent = NOT_SENT.test(`${code} ${cause?.code ?? ''} ${reason}`);
    return { kind: notSent ? 'retryable' : 'unknown', message: redact(`Could not reach ${platform}: ${reason}`) };
  }

  const status = response.status;
  const detail = describeSafely(dialect, response.data);
  const withDetail = (prefix: string) => (detail ? `${prefix}: ${detail}` : prefix);

  if (status === 429 || dialect.isRateLimited?.(status, response.data)) {
    const retryAfterMs = dialect.retryAfterMsFromBody?.(response.data) ?? retryAfterFromHeaders(response.headers, now);
    const resetsAt = retryAfterMs === undefined ? '' : `; resets at ${new Date(now + retryAfterMs).toISOString()}`;
    return {
      kind: 'retryable',
      message: withDetail(`${platform} rate limit reached (${status})${resetsAt}`),
      statusCode: status,
      rateLimited: true,
      retryAfterMs,
    };
  }
  if (status >= 500 || status === 408) {
    return { kind: 'unknown', message: withDetail(`${platform} server error (${status})`), statusCode: status };
  }
  const rejectsCredentials = dialect.rejectsCredentials?.(status, detail, response.data) ?? status === 401;
  if (rejectsCredentials) {
    return {
      kind: 'permanent',
      message: withDetail(`${platform} rejected the credentials (${status})`),
      statusCode: status,
      credentialsRejected: true,
    };
  }
  const duplicate = dialect.isDuplicate?.(status, detail, response.data) ?? false;
  return {
    kind: 'permanent',
    message: withDetail(`${platform} rejected the request (${status})`),
    statusCode: status,
    ...(duplicate ? { duplicate } : {}),
  };
}

function describeSafely(dialect: HttpErrorDialect, data: unknown): string | undefined {
  let text: string | undefined;
  try {
    text = dialect.describe(data);
  } catch {
    text = undefined;
  }
  const quotesText = !dialect.hostChosenByUser && typeof data === 'string';
  if (text === undefined && quotesText && data.trim() !== '' && !data.trimStart().startsWith('<')) {
    text = data;
  }
  return text ? redact(text).slice(0, MAX_DETAIL_LENGTH) : undefined;
}

/**
 * When a rate limit lifts, from the headers platforms use: Retry-After (seconds or a date),
 * x-ratelimit-reset-after (seconds, Discord), then ratelimit-reset / x-ratelimit-reset
 * (epoch seconds, or an ISO date as Mastodon sends).
 */
export function retryAfterFromHeaders(headers: unknown, now: number = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    const value = (headers as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const retryAfter = get('retry-after');
  if (retryAfter !== undefined) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const resetAfter = get('x-ratelimit-reset-after');
  if (resetAfter !== undefined && /^\d+(\.\d+)?$/.test(resetAfter)) return Math.ceil(Number(resetAfter) * 1000);
  const reset = get('ratelimit-reset') ?? get('x-ratelimit-reset');
  if (reset === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(reset)) {
    const seconds = Number(reset);
    // Small numbers are "seconds from now" (IETF RateLimit draft), large ones an epoch time.
    return seconds < 1e9 ? Math.ceil(seconds * 1000) : Math.max(0, Math.ceil(seconds * 1000 - now));
  }
  const date = Date.parse(reset);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A last line of defence: no token ever leaves in a message. */
export function redact(message: string): string {
  return message
    .replace(/(Bearer\s+)[^\s,;"']+/gi, '$1[redacted]')
    .replace(/(access_token=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/\/bot\d+:[\w-]+/g, '/bot[redacted]')
    .replace(/(\/webhooks\/\d+\/)[\w-]+/g, '$1[redacted]');
}
