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
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/** Target states from which a worker may still publish (or a user may still cancel). */
export const PENDING_TARGET_STATUSES: readonly TargetStatus[] = ['scheduled', 'queued'];

/** Target states that may already be on the platform: a post with one can no longer be edited or cancelled. */
export const STARTED_TARGET_STATUSES: readonly TargetStatus[] = ['publishing', 'published', 'unknown'];

/** Target states `POST /v1/posts/:id/retry` starts over. */
export const RETRYABLE_TARGET_STATUSES: readonly TargetStatus[] = ['failed', 'unknown', 'missed'];

/**
 * A post's status is derived from its targets: the least advanced live target wins while any is in
 * flight; once all are settled, published/failed/partially_published say how it went.
 */
export function derivePostStatus(targets: readonly TargetStatus[]): PostStatus {
  const live = targets.filter((status) => status !== 'cancelled');
  if (live.length === 0) return 'cancelled';
  if (live.includes('publishing')) return 'publishing';
  if (live.includes('queued')) return 'queued';
  if (live.includes('scheduled')) return 'scheduled';
  if (live.includes('unknown')) return 'unknown';
  const published = live.filter((status) => status === 'published').length;
  if (published === live.length) return 'published';
  if (published > 0) return 'partially_published';
  return live.every((status) => status === 'missed') ? 'missed' : 'failed';
}
