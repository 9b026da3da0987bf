import { describe, expect, it } from '@jest/globals';
import type { PlatformCapabilities, PublishFailure, RenewalResult } from '@app/shared';
import {
  decideAfterFailedLookUp,
  decideAfterFailure,
  decideAfterRenewal,
  decideBeforePublishing,
  RECOVERY_SEARCH_MARGIN_MS,
  type ClaimFacts,
} from './publish-decisions.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const minutesAgo = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000);
const noJitter = (): number => 0.5;
const POLICY = { maxAttempts: 3, retryBaseDelayMs: 1_000 };

const claim = (facts: Partial<ClaimFacts> = {}): ClaimFacts => ({
  platform: 'x',
  previousStatus: 'queued',
  previousAttemptStartedAt: null,
  dueAt: minutesAgo(1),
  maxLatenessSeconds: 600,
  encryptedCredentials: 'v1.sealed',
  accountStatus: 'active',
  accountStatusReason: null,
  accountRenewAt: null,
  thread: [],
  publishedParts: [],
  ...facts,
});

const lookUpCapable: PlatformCapabilities = { findPublished: true, idempotencyKeys: false };
const idempotent: PlatformCapabilities = { findPublished: true, idempotencyKeys: true };
const blind: PlatformCapabilities = { findPublished: false, idempotencyKeys: false };
const part = { platformPostId: '1', url: 'https://x.com/i/web/status/1' };

describe('decideBeforePublishing', () => {
  const publish = (renewCredentials = false, since: Date | null = null) => ({
    kind: 'publish',
    renewCredentials,
    lookUpEarlierAttempt: since ? { since } : null,
  });
  const settle = (status: string, outcome: string, error: RegExp) => ({
    kind: 'settle',
    status,
    record: { outcome, error: expect.stringMatching(error) },
  });
  const beforeStart = (start: Date) => new Date(start.getTime() - RECOVERY_SEARCH_MARGIN_MS);

  it.each([
    ['a due target', claim(), lookUpCapable, publish()],
    ['just within maxLatenessSeconds', claim({ dueAt: minutesAgo(10) }), lookUpCapable, publish()],
    [
      'more than maxLatenessSeconds late',
      claim({ dueAt: minutesAgo(11) }),
      lookUpCapable,
      settle('missed', 'missed', /more than 600 s past its time/),
    ],
    [
      'late, but an unknown attempt may have landed: looked up, not missed',
      claim({ dueAt: minutesAgo(60), previousStatus: 'unknown', previousAttemptStartedAt: minutesAgo(50) }),
      lookUpCapable,
      publish(false, beforeStart(minutesAgo(50))),
    ],
    [
      'a deleted account',
      claim({ encryptedCredentials: null }),
      lookUpCapable,
      settle('failed', 'failed', /^The account was deleted$/),
    ],
    [
      'an account needing reconnection, with its reason',
      claim({ accountStatus: 'needs_reauth', accountStatusReason: 'token revoked' }),
      lookUpCapable,
      settle('failed', 'failed', /^The account needs reconnecting: token revoked$/),
    ],
    [
      'an account needing reconnection, no reason given',
      claim({ accountStatus: 'needs_reauth' }),
      lookUpCapable,
      settle('failed', 'failed', /its credentials were refused/),
    ],
    ['credentials due for renewal', claim({ accountRenewAt: NOW }), lookUpCapable, publish(true)],
    ['credentials renewed ahead of time', claim({ accountRenewAt: minutesAgo(-1) }), lookUpCapable, publish()],
    [
      'after an unknown outcome: look from before that attempt started',
      claim({ previousStatus: 'unknown', previousAttemptStartedAt: minutesAgo(5) }),
      lookUpCapable,
      publish(false, beforeStart(minutesAgo(5))),
    ],
    [
      'after a lapsed lease: look from before that attempt started',
      claim({ previousStatus: 'publishing', previousAttemptStartedAt: minutesAgo(2) }),
      lookUpCapable,
      publish(false, beforeStart(minutesAgo(2))),
    ],
    [
      'an earlier attempt of unknown start: look from now, less the margin',
      claim({ previousStatus: 'unknown' }),
      lookUpCapable,
      publish(false, beforeStart(NOW)),
    ],
    [
      'idempotency keys make resending safe: no look-up',
      claim({ previousStatus: 'unknown', previousAttemptStartedAt: minutesAgo(5) }),
      idempotent,
      publish(),
    ],
    [
      'a platform that cannot tell: left unknown for a person',
      claim({ previousStatus: 'publishing', platform: 'telegram' }),
      blind,
      settle('unknown', 'unverifiable', /^telegram cannot tell whether an earlier attempt landed/),
    ],
    [
      'every part recorded before the lease lapsed: nothing to look up',
      claim({ previousStatus: 'publishing', platform: 'telegram', publishedParts: [part] }),
      blind,
      publish(),
    ],
    [
      'a thread with parts left after a lapsed lease: look up the next one',
      claim({
        previousStatus: 'publishing',
        previousAttemptStartedAt: minutesAgo(1),
        thread: ['2'],
        publishedParts: [part],
      }),
      lookUpCapable,
      publish(false, beforeStart(minutesAgo(1))),
    ],
    [
      'renewal and look-up together',
      claim({ previousStatus: 'unknown', previousAttemptStartedAt: minutesAgo(3), accountRenewAt: minutesAgo(1) }),
      lookUpCapable,
      publish(true, beforeStart(minutesAgo(3))),
    ],
  ] as const)('%s', (_case, facts, capabilities, expected) => {
    expect(decideBeforePublishing(facts, capabilities, NOW)).toEqual(expected);
  });

  it('applies the clock margin once: the look-up starts exactly one margin before the previous attempt', () => {
    const started = minutesAgo(5);
    const plan = decideBeforePublishing(
      claim({ previousStatus: 'unknown', previousAttemptStartedAt: started }),
      lookUpCapable,
      NOW,
    );
    expect(plan).toMatchObject({ lookUpEarlierAttempt: { since: new Date(started.getTime() - 60_000) } });
  });
});

describe('decideAfterRenewal', () => {
  it.each([
    [
      { status: 'renewed', credentials: { accessToken: 'new' } },
      { kind: 'use', credentials: { accessToken: 'new' } },
    ],
    [
      { status: 'current', credentials: { accessToken: 'cur' } },
      { kind: 'use', credentials: { accessToken: 'cur' } },
    ],
    [{ status: 'failed', reason: 'X unavailable (503)' }, { kind: 'use-stored' }],
    [
      { status: 'revoked', reason: 'invalid_grant; connect the account again' },
      {
        kind: 'settle',
        status: 'failed',
        record: {
          outcome: 'failed',
          error: 'The account needs reconnecting: invalid_grant; connect the account again',
        },
      },
    ],
    [
      { status: 'gone' },
      { kind: 'settle', status: 'failed', record: { outcome: 'failed', error: 'The account was deleted' } },
    ],
  ] as [RenewalResult, unknown][])('%j → %j', (renewal, expected) => {
    expect(decideAfterRenewal(renewal)).toEqual(expected);
  });
});

describe('decideAfterFailure', () => {
  const retryable: PublishFailure = { kind: 'retryable', message: 'connection refused' };
  const rateLimited: PublishFailure = {
    kind: 'retryable',
    message: 'X rate limit reached (429)',
    statusCode: 429,
    rateLimited: true,
    retryAfterMs: 900_000,
  };
  const unknown: PublishFailure = { kind: 'unknown', message: 'X unavailable (503)', statusCode: 503 };
  const permanent: PublishFailure = { kind: 'permanent', message: 'X refused (400)', statusCode: 400 };
  const rejected: PublishFailure = {
    kind: 'permanent',
    message: 'X refused the token (401)',
    statusCode: 401,
    credentialsRejected: true,
  };
  const duplicate: PublishFailure = {
    kind: 'permanent',
    message: 'X refused (403): duplicate content.',
    statusCode: 403,
    duplicate: true,
  };
  const inMs = (ms: number) => new Date(NOW.getTime() + ms);

  it.each([
    [
      'retryable, attempts left: retry after the backoff',
      retryable,
      1,
      false,
      { kind: 'retry', at: inMs(1_000), record: { outcome: 'retry', error: 'connection refused' } },
    ],
    [
      'retryable, second attempt: the backoff doubles',
      retryable,
      2,
      false,
      { kind: 'retry', at: inMs(2_000), record: { outcome: 'retry', error: 'connection refused' } },
    ],
    [
      'retryable, out of attempts: failed',
      retryable,
      3,
      false,
      {
        kind: 'settle',
        status: 'failed',
        record: { outcome: 'failed', error: 'connection refused (gave up after 3 attempts)' },
      },
    ],
    [
      "rate-limited: the account and the target wait for the platform's reset",
      rateLimited,
      1,
      false,
      {
        kind: 'retry',
        at: inMs(900_000),
        record: { outcome: 'rate_limited', error: 'X rate limit reached (429)', statusCode: 429 },
        account: { kind: 'rate-limited', until: inMs(900_000) },
      },
    ],
    [
      'rate-limited, out of attempts: failed, and the account still waits',
      rateLimited,
      3,
      false,
      {
        kind: 'settle',
        status: 'failed',
        record: { outcome: 'failed', error: 'X rate limit reached (429) (gave up after 3 attempts)', statusCode: 429 },
        account: { kind: 'rate-limited', until: inMs(900_000) },
      },
    ],
    [
      'unknown, attempts left: look for it later',
      unknown,
      1,
      false,
      {
        kind: 'check-later',
        at: inMs(1_000),
        record: { outcome: 'unknown', error: 'X unavailable (503)', statusCode: 503 },
      },
    ],
    [
      'unknown, out of attempts: left unknown for a person',
      unknown,
      3,
      true,
      {
        kind: 'settle',
        status: 'unknown',
        record: {
          outcome: 'unknown',
          error: 'X unavailable (503) (gave up after 3 attempts; it may or may not have been published)',
          statusCode: 503,
        },
      },
    ],
    [
      'permanent: failed at once, with attempts left',
      permanent,
      1,
      false,
      { kind: 'settle', status: 'failed', record: { outcome: 'failed', error: 'X refused (400)', statusCode: 400 } },
    ],
    [
      'credentials rejected: failed, and the account needs reconnecting',
      rejected,
      1,
      false,
      {
        kind: 'settle',
        status: 'failed',
        record: { outcome: 'failed', error: 'X refused the token (401)', statusCode: 401 },
        account: { kind: 'credentials-rejected', reason: 'X refused the token (401)' },
      },
    ],
    [
      'a duplicate on a first attempt: the content itself is refused',
      duplicate,
      1,
      false,
      {
        kind: 'settle',
        status: 'failed',
        record: { outcome: 'failed', error: 'X refused (403): duplicate content.', statusCode: 403 },
      },
    ],
    [
      'a duplicate after a look-up found nothing: the earlier attempt landed, not posted again',
      duplicate,
      2,
      true,
      {
        kind: 'settle',
        status: 'unknown',
        record: {
          outcome: 'unverifiable',
          error: 'X refused (403): duplicate content. An earlier attempt most likely published it; not posting again.',
          statusCode: 403,
        },
      },
    ],
  ] as const)('%s', (_case, failure, attempt, afterLookUp, expected) => {
    expect(decideAfterFailure({ failure, attempt, afterLookUp }, POLICY, NOW, noJitter)).toEqual(expected);
  });

  it('retries no later than the one-hour cap when the platform gave no reset time', () => {
    const failure = { failure: retryable, attempt: 2, afterLookUp: false };
    const end = decideAfterFailure(failure, { maxAttempts: 30, retryBaseDelayMs: 3_000_000 }, NOW, () => 1);
    expect(end).toMatchObject({ kind: 'retry', at: inMs(3_600_000) });
  });
});

describe('decideAfterFailedLookUp', () => {
  it.each([
    [
      { kind: 'unknown', message: 'X unavailable (503)', statusCode: 503 },
      1,
      {
        kind: 'check-later',
        at: new Date(NOW.getTime() + 1_000),
        record: {
          outcome: 'unknown',
          error: 'Could not check whether it landed: X unavailable (503)',
          statusCode: 503,
        },
      },
    ],
    [
      {
        kind: 'retryable',
        message: 'X rate limit reached (429)',
        statusCode: 429,
        rateLimited: true,
        retryAfterMs: 60_000,
      },
      2,
      {
        kind: 'check-later',
        at: new Date(NOW.getTime() + 60_000),
        record: {
          outcome: 'unknown',
          error: 'Could not check whether it landed: X rate limit reached (429)',
          statusCode: 429,
        },
      },
    ],
    [
      { kind: 'permanent', message: 'X refused (401)', statusCode: 401, credentialsRejected: true },
      3,
      {
        kind: 'settle',
        status: 'unknown',
        record: {
          outcome: 'unknown',
          error:
            'Could not check whether it landed: X refused (401) (gave up after 3 attempts; it may or may not have been published)',
          statusCode: 401,
        },
      },
    ],
  ] as [PublishFailure, number, unknown][])('%j on attempt %i → %j', (failure, attempt, expected) => {
    expect(decideAfterFailedLookUp(failure, attempt, POLICY, NOW, noJitter)).toEqual(expected);
  });
});
