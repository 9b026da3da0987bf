import { classifyHttpError, type HttpErrorDialect } from '../http/platform-http.js';
import type { PublishFailure } from '../platform-provider.js';

/** Mastodon kept processing an upload longer than Herald waits; no status was created. */
export class MediaStillProcessingError extends Error {
  constructor(mediaId: string, waitedMs: number) {
    super(`Mastodon was still processing media ${mediaId} after ${waitedMs} ms; nothing was posted`);
    this.name = 'MediaStillProcessingError';
  }
}

/** A token without the scope an endpoint needs is answered 403; only a new token helps. */
const OUTSIDE_SCOPES = /outside the authorized scopes/i;
/** Media attached before Mastodon finished processing it: the status was refused and can be sent again. */
const MEDIA_NOT_READY = /have not finished processing/i;

const MASTODON_DIALECT: HttpErrorDialect = {
  platform: 'Mastodon',
  hostChosenByUser: true,
  // Every API error is `{ "error": "..." }`; OAuth errors add `error_description`.
  describe(data) {
    if (typeof data !== 'object' || data === null) return undefined;
    const { error, error_description: description } = data as { error?: unknown; error_description?: unknown };
    if (typeof description === 'string' && description !== '') return description;
    return typeof error === 'string' && error !== '' ? error : undefined;
  },
  rejectsCredentials: (status, detail) => status === 401 || (status === 403 && OUTSIDE_SCOPES.test(detail ?? '')),
};

/**
 * What a failed call to a Mastodon instance means for the worker. Mastodon has no "duplicate" answer:
 * a resend carries the same Idempotency-Key and gets the status created the first time.
 */
export function classifyMastodonError(error: unknown, now: number = Date.now()): PublishFailure {
  if (error instanceof MediaStillProcessingError) return { kind: 'retryable', message: error.message };
  const failure = classifyHttpError(error, MASTODON_DIALECT, now);
  if (failure.statusCode === 422 && MEDIA_NOT_READY.test(failure.message)) return { ...failure, kind: 'retryable' };
  return failure;
}
