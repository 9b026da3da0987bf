/**
 * The conditions the publishing guarantees rest on, written once as SQL over a `post_targets` row
 * named `t`. `claim`, `findDue`, `findDueBetween`, `findExpiredLeases` and `whyUnclaimable` use them, and a test checks
 * that the partial indexes' WHERE is exactly `awaitingAttempt` and `holdingLease`, so the due scan
 * can keep reading only those indexes.
 */

/** Waiting for a worker: to publish, retry or reconcile. The WHERE of `post_targets_due_idx`. */
export const awaitingAttempt = (t: string): string => `${t}.status IN ('scheduled', 'queued', 'unknown')`;

/** Held by a worker while it publishes. The WHERE of `post_targets_lease_idx`. */
export const holdingLease = (t: string): string => `${t}.status = 'publishing'`;

/** Its account is not paused after a platform's 429. */
export const accountNotRateLimited = (t: string): string =>
  `NOT EXISTS (SELECT 1 FROM social_accounts a WHERE a.id = ${t}.account_id AND a.rate_limited_until > now())`;

/** Due: waiting for an attempt whose time has come, on an account that may publish. */
export const isDue = (t: string): string =>
  `(${awaitingAttempt(t)} AND ${t}.next_attempt_at <= now() AND ${accountNotRateLimited(t)})`;

/**
 * Waiting for an attempt due after `from` and by `until` (SQL expressions), on an account that may
 * publish: the scheduler keeps a delayed job for it. A paused account's job waits for the pause to
 * end, later than the target's time, and is left to do so. Read through `post_targets_due_idx`.
 */
export const dueBetween = (t: string, from: string, until: string): string =>
  `(${awaitingAttempt(t)} AND ${t}.next_attempt_at > ${from} AND ${t}.next_attempt_at <= ${until} AND ${accountNotRateLimited(t)})`;

/** Its worker died mid-publish: the lease it held has run out. */
export const leaseLapsed = (t: string): string => `(${holdingLease(t)} AND ${t}.lease_expires_at < now())`;

/** A worker may take it: it is due, or its previous worker's lease lapsed. */
export const isClaimable = (t: string): string => `(${isDue(t)} OR ${leaseLapsed(t)})`;
