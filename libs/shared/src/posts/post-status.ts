export const TARGET_STATUSES = [
  'scheduled',
  'queued',
  'publishing',
  'published',
  'failed',
  'cancelled',
  /** An attempt may have reached the platform; being reconciled, or (with no next attempt) not verifiable. */
  'unknown',
  /** Not published because it would have been later than the post's maxLatenessSeconds. */
  'missed',
  /** Waiting for an admin's approval: no job, never claimed (outside `awaitingAttempt`). */
  'pending_approval',
  /** An admin refused the post; the reason is the post's. */
  'rejected',
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export const POST_STATUSES = [
  'scheduled',
  'queued',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'cancelled',
  'unknown',
  'missed',
  'pending_approval',
  'rejected',
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/** Target states from which a worker may still publish (or a user may still cancel). */
export const PENDING_TARGET_STATUSES: readonly TargetStatus[] = ['scheduled', 'queued'];

/** Target states of a post waiting for an admin's decision, or refused by one: approving schedules them. */
export const IN_REVIEW_TARGET_STATUSES: readonly TargetStatus[] = ['pending_approval', 'rejected'];

/** Target states that may already be on the platform: a post with one can no longer be edited or cancelled. */
export const STARTED_TARGET_STATUSES: readonly TargetStatus[] = ['publishing', 'published', 'unknown'];

/** Target states `POST /v1/posts/:id/retry` starts over. */
export const RETRYABLE_TARGET_STATUSES: readonly TargetStatus[] = ['failed', 'unknown', 'missed'];

/**
 * A post's status is derived from its targets: the least advanced live target wins while any is in
 * flight (a target waiting for approval, or rejected, counts as the least advanced: approval covers
 * every target of the post at once); once all are settled, published/failed/partially_published say
 * how it went. Written in SQL
 * over `statuses` (a `text[]` expression), so a write to a target can recompute its post's status in
 * the same statement instead of reading the targets back (a table test runs it in PostgreSQL).
 */
export const postStatusOf = (statuses: string): string =>
  `(SELECT CASE
             WHEN count(*) FILTER (WHERE s <> 'cancelled') = 0 THEN 'cancelled'
             WHEN bool_or(s = 'publishing') THEN 'publishing'
             WHEN bool_or(s = 'pending_approval') THEN 'pending_approval'
             WHEN bool_or(s = 'rejected') THEN 'rejected'
             WHEN bool_or(s = 'queued') THEN 'queued'
             WHEN bool_or(s = 'scheduled') THEN 'scheduled'
             WHEN bool_or(s = 'unknown') THEN 'unknown'
             WHEN bool_and(s IN ('published', 'cancelled')) THEN 'published'
             WHEN bool_or(s = 'published') THEN 'partially_published'
             WHEN bool_and(s IN ('missed', 'cancelled')) THEN 'missed'
             ELSE 'failed'
           END
      FROM unnest(${statuses}) AS target(s))`;
