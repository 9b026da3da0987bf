import { classifyHttpError, type HttpErrorDialect } from '../http/platform-http.js';
import type { PublishFailure } from '../platform-provider.js';

/** The `error` object of a Graph-style answer: `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
interface GraphError {
  message?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  error_user_title?: unknown;
  error_user_msg?: unknown;
}

/** Graph's rate limits: application (4), user (17), page (32) and custom (613) limits, answered as 400 or 403. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** An invalid, expired or revoked access token (190), or an invalid session (102). */
const CREDENTIAL_CODES = new Set([102, 190]);

export const THREADS_ERROR_DIALECT: HttpErrorDialect = {
  platform: 'Threads',
  describe: describeGraphError,
  rejectsCredentials: (status, _detail, data) =>
    status === 401 || CREDENTIAL_CODES.has(graphError(data)?.code as number),
  isRateLimited: (status, data) =>
    (status === 400 || status === 403) && RATE_LIMIT_CODES.has(graphError(data)?.code as number),
};

/** A failure the provider itself recognised (a container Threads could not process, a token for someone else). */
export class ThreadsFailure extends Error {
  constructor(
    readonly failure: PublishFailure,
    options?: ErrorOptions,
  ) {
    super(failure.message, options);
    this.name = 'ThreadsFailure';
  }
}

export function classifyThreadsError(error: unknown): PublishFailure {
  return error instanceof ThreadsFailure ? error.failure : classifyHttpError(error, THREADS_ERROR_DIALECT);
}

/**
 * A failure while preparing a post, before `threads_publish` was called. Only that call makes a post
 * appear, so even a lost answer (timeout, 5xx) proves nothing was posted: resending is safe.
 */
export function failedBeforePublishing(error: unknown): ThreadsFailure {
  if (error instanceof ThreadsFailure) return error;
  const failure = classifyThreadsError(error);
  if (failure.kind !== 'unknown') return new ThreadsFailure(failure, { cause: error });
  const message = `${failure.message} (while preparing the post: nothing was published)`;
  return new ThreadsFailure({ ...failure, kind: 'retryable', message }, { cause: error });
}

function graphError(data: unknown): GraphError | undefined {
  const error = (data as { error?: unknown } | null | undefined)?.error;
  return typeof error === 'object' && error !== null ? error : undefined;
}

/**
 * Graph's explanation: the message meant for people (`error_user_title: error_user_msg`) when there
 * is one, since `message` is often just "An unknown error occurred"; then the codes, for support.
 * Query strings are cut from URLs it quotes (our media links may carry signatures).
 */
function describeGraphError(data: unknown): string | undefined {
  const error = graphError(data);
  if (!error) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const title = text(error.error_user_title)?.replace(/\.$/, '');
  const userMessage = text(error.error_user_msg);
  const explanation = userMessage ? (title ? `${title}: ${userMessage}` : userMessage) : text(error.message);
  if (!explanation) return undefined;
  const codes = [error.code, error.error_subcode].filter((code) => typeof code === 'number').join('/');
  const described = codes ? `${explanation} (code ${codes})` : explanation;
  return described.replace(/(https?:\/\/[^\s?#"]+)[?#][^\s"]*/g, '$1');
}
