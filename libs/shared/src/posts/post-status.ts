export const TARGET_STATUSES = ['scheduled', 'queued', 'publishing', 'published', 'failed', 'cancelled'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export const POST_STATUSES = [
  'scheduled',
  'queued',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'cancelled',
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/** Target states from which a worker may still publish (or a user may still cancel). */
export const PENDING_TARGET_STATUSES: readonly TargetStatus[] = ['scheduled', 'queued'];

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
  const published = live.filter((status) => status === 'published').length;
  if (published === live.length) return 'published';
  return published === 0 ? 'failed' : 'partially_published';
}
