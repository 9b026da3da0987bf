import type { AttemptRecord, ClaimedTarget, PlatformCapabilities, PublishFailure, RenewalResult } from '@app/shared';
import { retryDelayMs } from './retry-delay.js';

/**
 * What the worker does with a claimed target, as pure functions of the facts and the time. The
 * service gathers the facts and runs the attempt; AttemptRecorder writes what these decide.
 */

/** How far before the previous attempt's start the platform is searched: absorbs clock skew with the platform. */
export const RECOVERY_SEARCH_MARGIN_MS = 60_000;

/** What an attempt's end means for the target's account. */
export type AccountEffect =
  /** After a 429: no target of the account is claimed before `until`. */
  | { kind: 'rate-limited'; until: Date }
  /** The platform refused the credentials: the account needs reconnecting. */
  | { kind: 'credentials-rejected'; reason: string };

/** How an attempt ends without a publication: what to record on the target, and on its account. */
export type AttemptEnd =
  /** Nothing more will be tried automatically; the record says why. */
  | { kind: 'settle'; status: 'failed' | 'unknown' | 'missed'; record: AttemptRecord; account?: AccountEffect }
  /** The post certainly did not land: send it again at `at`. */
  | { kind: 'retry'; at: Date; record: AttemptRecord; account?: AccountEffect }
  /** The post may have landed: at `at`, look for it on the platform before sending anything again. */
  | { kind: 'check-later'; at: Date; record: AttemptRecord; account?: undefined };

/** Go ahead and publish the parts not yet on the platform. */
export interface PublishPlan {
  kind: 'publish';
  /** The credentials are due for renewal (the scheduler fell behind): renew them first. */
  renewCredentials: boolean;
  /** An earlier attempt may have landed the first part not recorded: look for it from `since` first. */
  lookUpEarlierAttempt: { since: Date } | null;
}

export type ClaimFacts = Pick<
  ClaimedTarget,
  | 'platform'
  | 'previousStatus'
  | 'previousAttemptStartedAt'
  | 'dueAt'
  | 'maxLatenessSeconds'
  | 'encryptedCredentials'
  | 'accountStatus'
  | 'accountStatusReason'
  | 'accountRenewAt'
  | 'thread'
  | 'publishedParts'
>;

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseDelayMs: number;
}

/** A failed call to the platform, and where the attempt stood. */
export interface FailedAttempt {
  failure: PublishFailure;
  /** The attempt number of the claim. */
  attempt: number;
  /** This attempt first looked for an earlier attempt's post and found none. */
  afterLookUp: boolean;
}

/** The target fails for good, saying why. */
export const failed = (error: string, account?: AccountEffect): AttemptEnd => ({
  kind: 'settle',
  status: 'failed',
  record: { outcome: 'failed', error },
  account,
});

const ACCOUNT_DELETED = failed('The account was deleted');

/** What to do with a target just claimed, before anything is sent. */
export function decideBeforePublishing(
  claim: ClaimFacts,
  capabilities: PlatformCapabilities,
  now: Date,
): AttemptEnd | PublishPlan {
  const mayHaveLanded = claim.previousStatus === 'unknown' || claim.previousStatus === 'publishing';
  // A previous attempt that may have landed is checked even when late: it may be published already.
  if (!mayHaveLanded && now.getTime() > claim.dueAt.getTime() + claim.maxLatenessSeconds * 1000) {
    const error = `Not published: more than ${claim.maxLatenessSeconds} s past its time (maxLatenessSeconds)`;
    return { kind: 'settle', status: 'missed', record: { outcome: 'missed', error } };
  }
  if (claim.encryptedCredentials === null) return ACCOUNT_DELETED;
  if (claim.accountStatus === 'needs_reauth') {
    return failed(`The account needs reconnecting: ${claim.accountStatusReason ?? 'its credentials were refused'}`);
  }
  const partsLeft = claim.publishedParts.length < 1 + claim.thread.length;
  const lookUp = mayHaveLanded && partsLeft && !capabilities.idempotencyKeys;
  if (lookUp && !capabilities.findPublished) {
    const error = `${claim.platform} cannot tell whether an earlier attempt landed: check the account, then retry the post if it did not`;
    return { kind: 'settle', status: 'unknown', record: { outcome: 'unverifiable', error } };
  }
  const since = (claim.previousAttemptStartedAt ?? now).getTime() - RECOVERY_SEARCH_MARGIN_MS;
  return {
    kind: 'publish',
    renewCredentials: claim.accountRenewAt !== null && claim.accountRenewAt.getTime() <= now.getTime(),
    lookUpEarlierAttempt: lookUp ? { since: new Date(since) } : null,
  };
}

/**
 * After renewing due credentials: the credentials to publish with, the stored ones (a temporary
 * failure: they were renewed ahead of expiry, so they most likely still work), or the end.
 */
export function decideAfterRenewal(
  renewal: RenewalResult,
): { kind: 'use'; credentials: unknown } | { kind: 'use-stored' } | AttemptEnd {
  switch (renewal.status) {
    case 'renewed':
    case 'current':
      return { kind: 'use', credentials: renewal.credentials };
    case 'failed':
      return { kind: 'use-stored' };
    case 'revoked':
      return failed(`The account needs reconnecting: ${renewal.reason}`);
    case 'gone':
      return ACCOUNT_DELETED;
  }
}

/** After the platform refused or lost a part: retry, check later, or give up. */
export function decideAfterFailure(
  { failure, attempt, afterLookUp }: FailedAttempt,
  policy: RetryPolicy,
  now: Date,
  random = Math.random,
): AttemptEnd {
  const record: AttemptRecord = { outcome: 'failed', error: failure.message, statusCode: failure.statusCode };
  if (failure.duplicate && afterLookUp) {
    // The platform holds this exact post: the earlier attempt landed though the look-up missed it.
    const error = `${failure.message} An earlier attempt most likely published it; not posting again.`;
    return { kind: 'settle', status: 'unknown', record: { ...record, outcome: 'unverifiable', error } };
  }
  if (failure.credentialsRejected) {
    return {
      kind: 'settle',
      status: 'failed',
      record,
      account: { kind: 'credentials-rejected', reason: failure.message },
    };
  }
  if (failure.kind === 'permanent') return { kind: 'settle', status: 'failed', record };
  if (failure.kind === 'unknown') return stillUnknown(failure, attempt, policy, now, random);

  const at = retryAt(failure, attempt, policy, now, random);
  const account: AccountEffect | undefined = failure.rateLimited ? { kind: 'rate-limited', until: at } : undefined;
  if (attempt >= policy.maxAttempts) {
    const error = `${failure.message} (gave up after ${attempt} attempts)`;
    return { kind: 'settle', status: 'failed', record: { ...record, error }, account };
  }
  return { kind: 'retry', at, record: { ...record, outcome: failure.rateLimited ? 'rate_limited' : 'retry' }, account };
}

/** Looking for an earlier attempt's post failed: whatever the reason, nobody can tell yet whether it landed. */
export function decideAfterFailedLookUp(
  failure: PublishFailure,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
  random = Math.random,
): AttemptEnd {
  const message = `Could not check whether it landed: ${failure.message}`;
  return stillUnknown({ ...failure, message }, attempt, policy, now, random);
}

/** The post may be on the platform: look again later or, out of attempts, leave it `unknown` for a person. */
function stillUnknown(
  failure: PublishFailure,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
  random: () => number,
): AttemptEnd {
  const record: AttemptRecord = { outcome: 'unknown', error: failure.message, statusCode: failure.statusCode };
  if (attempt >= policy.maxAttempts) {
    const error = `${failure.message} (gave up after ${attempt} attempts; it may or may not have been published)`;
    return { kind: 'settle', status: 'unknown', record: { ...record, error } };
  }
  return { kind: 'check-later', at: retryAt(failure, attempt, policy, now, random), record };
}

function retryAt(failure: PublishFailure, attempt: number, policy: RetryPolicy, now: Date, random: () => number): Date {
  return new Date(now.getTime() + retryDelayMs(attempt, policy.retryBaseDelayMs, failure.retryAfterMs, random));
}
