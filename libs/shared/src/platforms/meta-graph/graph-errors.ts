import axios from 'axios';
import { classifyHttpError, type HttpErrorDialect } from '../http/platform-http.js';
import type { PublishFailure } from '../platform-provider.js';

/** The `error` object of a Graph API error answer. */
export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id?: string;
}

/** Application, user, Page, custom and business-use-case rate limits (Graph answers them with 400 or 403). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80002]);
/** Instagram's daily Content Publishing limit (code 9): rate limited too, until the rolling day moves on. */
const PUBLISHING_LIMIT_SUBCODE = 2207042;
/** Instagram reuses code 4 for "we restrict certain activity": suspected spam, which waiting does not lift. */
const SPAM_RESTRICTION_SUBCODE = 2207051;
/** Invalid, expired or revoked access token (190), invalid session (102). */
const TOKEN_CODES = new Set([102, 190]);
/** A permission the token lacks (10, 200-299): only reconnecting with the permission granted helps. */
const isPermissionCode = (code: number) => code === 10 || (code >= 200 && code <= 299);
/** "Duplicate status message": the Page already has this exact post. */
const DUPLICATE_POST_CODE = 506;
/** Unknown error (1), service unavailable (2), Instagram's retry-me errors (-1, -2). */
const TRANSIENT_CODES = new Set([1, 2, -1, -2]);
/** Instagram: "the media is not ready for publishing"; it becomes ready if asked again later. */
const NOT_READY_SUBCODE = 2207027;

/** The Graph error in an answer's body, if it is one. */
export function graphErrorOf(data: unknown): GraphError | undefined {
  const error = (data as { error?: unknown } | null | undefined)?.error;
  return typeof error === 'object' && error !== null ? error : undefined;
}

/**
 * A step before the call that creates the post failed (a photo upload, an Instagram container): nothing
 * was published, whatever the answer was, so retrying is safe.
 */
export class NotPublishedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotPublishedError';
  }
}

/** Runs a step that comes before the post exists; its failure becomes a {@link NotPublishedError}. */
export async function beforePublishing<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new NotPublishedError(`${step} failed`, { cause: error });
  }
}

/** Herald refuses what Graph answered (a token of another Page, a container that failed), with the failure to report. */
export class GraphRefusal extends Error {
  constructor(readonly failure: PublishFailure) {
    super(failure.message);
    this.name = 'GraphRefusal';
  }
}

/**
 * Maps whatever a Graph API call threw to what the worker should do. On top of the common HTTP rules:
 * token errors (190) and missing permissions reject the credentials, rate limits arrive as error codes with
 * 400/403 (and say when they lift in X-Business-Use-Case-Usage), code 506 is a duplicate, and Graph's
 * transient codes leave the outcome unknown. A failure before the post existed is retryable.
 */
export function classifyGraphError(error: unknown, platform: string, now: number = Date.now()): PublishFailure {
  if (error instanceof GraphRefusal) return error.failure;
  if (error instanceof NotPublishedError) {
    if (error.cause === undefined) return { kind: 'retryable', message: `${platform}: ${error.message}` };
    const failure = classifyGraphError(error.cause, platform, now);
    const message = `${error.message}: ${failure.message}`;
    return { ...failure, message, ...(failure.kind === 'unknown' ? { kind: 'retryable' } : {}) };
  }
  const failure = classifyHttpError(error, graphDialect(platform), now);
  const response = axios.isAxiosError(error) ? error.response : undefined;
  if (!response) return failure;

  if (failure.rateLimited && failure.retryAfterMs === undefined) {
    const retryAfterMs = retryAfterFromUsageHeaders(response.headers);
    return retryAfterMs === undefined ? failure : { ...failure, retryAfterMs };
  }
  if (failure.kind === 'permanent' && !failure.credentialsRejected && isTransient(graphErrorOf(response.data))) {
    return { ...failure, kind: 'unknown' };
  }
  return failure;
}

function graphDialect(platform: string): HttpErrorDialect {
  return {
    platform,
    describe: (data) => describeGraphError(graphErrorOf(data)),
    isDuplicate: (_status, _detail, data) => graphErrorOf(data)?.code === DUPLICATE_POST_CODE,
    rejectsCredentials: (status, _detail, data) => status === 401 || rejectsCredentials(graphErrorOf(data)),
    isRateLimited: (_status, data) => isRateLimit(graphErrorOf(data)),
  };
}

/** Graph's message, then the explanation meant for people when there is one. */
function describeGraphError(error: GraphError | undefined): string | undefined {
  if (!error) return undefined;
  const parts = [error.message, error.error_user_msg].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  return parts.length > 0 ? [...new Set(parts)].join(' — ') : undefined;
}

function rejectsCredentials(error: GraphError | undefined): boolean {
  const code = error?.code;
  return code !== undefined && (TOKEN_CODES.has(code) || isPermissionCode(code));
}

function isRateLimit(error: GraphError | undefined): boolean {
  if (!error) return false;
  if (error.error_subcode === PUBLISHING_LIMIT_SUBCODE) return true;
  return (
    error.code !== undefined && RATE_LIMIT_CODES.has(error.code) && error.error_subcode !== SPAM_RESTRICTION_SUBCODE
  );
}

function isTransient(error: GraphError | undefined): boolean {
  if (!error || error.is_transient === false) return false;
  return (
    error.is_transient === true ||
    error.error_subcode === NOT_READY_SUBCODE ||
    (error.code !== undefined && TRANSIENT_CODES.has(error.code))
  );
}

/**
 * When a throttled app or Page may call again, from X-Business-Use-Case-Usage
 * (`{"<id>": [{"type": "pages", "estimated_time_to_regain_access": <minutes>, ...}]}`); the longest wait
 * wins. X-App-Usage only gives percentages, so an application-level limit has no time here.
 */
export function retryAfterFromUsageHeaders(headers: unknown): number | undefined {
  const raw = (headers as Record<string, unknown> | undefined)?.['x-business-use-case-usage'];
  if (typeof raw !== 'string') return undefined;
  let usage: unknown;
  try {
    usage = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof usage !== 'object' || usage === null) return undefined;
  const minutes = Object.values(usage)
    .flatMap((entries: unknown) => (Array.isArray(entries) ? (entries as unknown[]) : []))
    .map((entry) => Number((entry as { estimated_time_to_regain_access?: unknown }).estimated_time_to_regain_access))
    .filter((value) => Number.isFinite(value) && value > 0);
  return minutes.length > 0 ? Math.max(...minutes) * 60_000 : undefined;
}
