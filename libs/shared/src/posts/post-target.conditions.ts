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

/**
 * No pause covers it: an admin paused neither its workspace nor its account (the kill switch). Part
 * of the claim itself, so a job already in Redis when the pause lands finds nothing to claim. A
 * target's account is always in its post's workspace (migration `same-workspace-references`).
 */
export const notPaused = (t: string): string =>
  `NOT EXISTS (SELECT 1 FROM social_accounts pa JOIN publishing_pauses pp ON pp.workspace_id = pa.workspace_id
                WHERE pa.id = ${t}.account_id AND (pp.account_id IS NULL OR pp.account_id = pa.id))`;

/**
 * Due: waiting for an attempt whose time has come, on an account that may publish. A target waiting
 * for approval (or rejected) is never due: its status is outside `awaitingAttempt`.
 */
export const isDue = (t: string): string =>
  `(${awaitingAttempt(t)} AND ${t}.next_attempt_at <= now() AND ${accountNotRateLimited(t)} AND ${notPaused(t)})`;

/**
 * Waiting for an attempt due after `from` and by `until` (SQL expressions), on an account that may
 * publish: the scheduler keeps a delayed job for it. A rate-limited or paused account's job waits for
 * the pause to end, later than the target's time, and is left to do so. Read through `post_targets_due_idx`.
 */
export const dueBetween = (t: string, from: string, until: string): string =>
  `(${awaitingAttempt(t)} AND ${t}.next_attempt_at > ${from} AND ${t}.next_attempt_at <= ${until} AND ${accountNotRateLimited(t)} AND ${notPaused(t)})`;

/** Its worker died mid-publish: the lease it held has run out. */
export const leaseLapsed = (t: string): string => `(${holdingLease(t)} AND ${t}.lease_expires_at < now())`;

/** Its worker died mid-publish and no pause stops another from taking over (and looking for the post). */
export const reclaimable = (t: string): string => `(${leaseLapsed(t)} AND ${notPaused(t)})`;

/** A worker may take it: it is due, or its previous worker's lease lapsed, and no pause covers it. */
export const isClaimable = (t: string): string => `(${isDue(t)} OR ${reclaimable(t)})`;
