import { PENDING_TARGET_STATUSES, IN_REVIEW_TARGET_STATUSES, type TargetStatus } from '../posts/post-status.js';

/** An admin's pause of publishing (the kill switch): of the whole workspace, or of one account. */
export interface PublishingPause {
  /** Null: the whole workspace. */
  accountId: string | null;
  since: Date;
  reason: string | null;
}

/** How a pause shows on a post or a target it holds back. */
export interface PauseView {
  scope: 'workspace' | 'account';
  since: Date;
  reason: string | null;
}

/** Target states a pause holds back: those that would otherwise still go out. */
const HELD_BACK: readonly TargetStatus[] = [...PENDING_TARGET_STATUSES, ...IN_REVIEW_TARGET_STATUSES, 'unknown'];

/**
 * The pause holding a target back, if any: the workspace's first (it covers every account), else its
 * account's. A target already settled (published, failed, missed, cancelled) or held by a worker is
 * not held back by a pause.
 */
export function pauseOfTarget(
  target: { accountId: string; status: TargetStatus },
  pauses: readonly PublishingPause[],
): PauseView | null {
  if (!HELD_BACK.includes(target.status)) return null;
  const pause =
    pauses.find((candidate) => candidate.accountId === null) ??
    pauses.find((candidate) => candidate.accountId === target.accountId);
  if (!pause) return null;
  return { scope: pause.accountId === null ? 'workspace' : 'account', since: pause.since, reason: pause.reason };
}

/**
 * The pause holding a post back: its first held-back target's, or null. A paused workspace's pause is
 * every held-back target's, so it is the post's whenever it applies.
 */
export function pauseOfPost(targetPauses: readonly (PauseView | null)[]): PauseView | null {
  return targetPauses.find((pause) => pause !== null) ?? null;
}
