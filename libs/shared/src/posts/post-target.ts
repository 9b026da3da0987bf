import type { AccountStatus } from '../accounts/social-account.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { PublishedPost } from '../platforms/platform-provider.js';
import type { TargetStatus } from './post-status.js';
import type { PostMediaRef } from './post.repository.js';

/** A target a worker has just claimed: it owns it until its lease expires. */
export interface ClaimedTarget {
  id: string;
  postId: string;
  accountId: string;
  platform: PlatformName;
  /** The attempt number of this claim; it fences every later write of this worker. */
  attempt: number;
  /** When this claim was taken: the start of the attempt, as recorded in its history. */
  claimedAt: Date;
  /**
   * `unknown` after an attempt whose outcome was lost, `publishing` when a previous worker's lease
   * lapsed: in both cases that attempt may have reached the platform.
   */
  previousStatus: TargetStatus;
  /** When the previous attempt started, to bound the search for a post it may have published. */
  previousAttemptStartedAt: Date | null;
  /** The account's own text if the post gave one, else the post's content. */
  content: string;
  media: PostMediaRef[];
  /** The thread's later posts, after `content`. */
  thread: string[];
  /** The parts of the thread already on the platform, in order: publishing goes on after them. */
  publishedParts: PublishedPost[];
  /** When the target should have gone out; `maxLatenessSeconds` counts from here. */
  dueAt: Date;
  maxLatenessSeconds: number;
  encryptedCredentials: string | null;
  accountStatus: AccountStatus;
  /** Why the account needs reconnecting, when it does. */
  accountStatusReason: string | null;
  /** When the account's credentials are due for renewal (null: they do not expire). */
  accountRenewAt: Date | null;
}

/** Why a target could not be claimed, and when to look again (null: nothing left to do). */
export interface UnclaimableTarget {
  status: TargetStatus;
  retryAt: Date | null;
}

export interface DueTarget {
  id: string;
  status: TargetStatus;
  dueAt: Date;
}

export interface DueCursor {
  dueAt: Date;
  id: string;
}

/** A target of a new post: `content` is the account's own text, or null for the post's. */
export interface NewTarget {
  accountId: string;
  platform: PlatformName;
  content: string | null;
}

/** How one attempt ended, as kept in its history (`publish_attempts`) and returned by the API. */
export type AttemptOutcome =
  'published' | 'recovered' | 'retry' | 'rate_limited' | 'unknown' | 'unverifiable' | 'failed' | 'missed';

export interface AttemptRecord {
  outcome: AttemptOutcome;
  error?: string;
  statusCode?: number;
}
