import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { PublishFailure } from '@app/shared';
import { freePort } from '../support/processes.js';
import {
  type Account,
  type AnyProvider,
  CONTRACT_PLATFORMS,
  type Harness,
  TIMEOUT_MS,
} from './provider-contract.platforms.js';

/**
 * What every platform provider promises about failures, checked against each platform's emulator with the
 * platform's own error bodies and rate-limit headers: a refused token is permanent, a 429 waits for the
 * platform's reset, anything that may have landed (5xx, timeout, lost answer) is unknown, and only what
 * certainly did not land (nothing listening) is retryable. What is particular to a platform stays in its
 * provider spec.
 */

/** Far beyond the provider's timeout: a test that passes proves the provider gave up on its own. */
const HANG_MS = TIMEOUT_MS * 30;

/** Awaits `publishing`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: AnyProvider, publishing: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await publishing.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

describe.each(CONTRACT_PLATFORMS)('$label provider contract', ({ label, rateLimitResetMs, start }) => {
  let harness: Harness;
  let account: Account;

  beforeAll(async () => {
    harness = await start();
  });
  beforeEach(async () => {
    harness.reset();
    account = await harness.newAccount();
    harness.reset(); // forget the calls that made the account ready
  });
  afterAll(async () => {
    await harness?.close();
  });

  const publish = () => failureOf(harness.provider, harness.provider.publish(account.credentials, harness.post()));

  it('reports a 401 as permanent, rejected credentials, without the secret in the message', async () => {
    // Every call, so that a provider which signs in again on a 401 (Bluesky) is refused there too.
    harness.failAny({ status: 401, count: 10 });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 401, credentialsRejected: true });
    // A failure before the publishing call may say so first (Instagram: "Preparing the Instagram post failed: ").
    expect(failure.message).toMatch(new RegExp(`${label} rejected .*\\(401\\)`));
    expect(failure.message).not.toContain(account.secret);
    expect(harness.landed()).toBe(0);
  });

  it('reports a 429 as retryable and rate limited, until the reset the platform gave', async () => {
    harness.failPublish({ status: 429 });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'retryable', statusCode: 429, rateLimited: true });
    expect(failure.message).toMatch(new RegExp(`^${label} rate limit reached \\(429`));
    if (rateLimitResetMs === undefined) {
      expect(failure.retryAfterMs).toBeUndefined();
    } else {
      expect(failure.retryAfterMs).toBeGreaterThan(rateLimitResetMs - 10_000);
      expect(failure.retryAfterMs).toBeLessThanOrEqual(rateLimitResetMs + 1_000);
    }
    expect(harness.landed()).toBe(0);
  });

  it('reports a 5xx as unknown (the post may exist), and the next attempt goes through', async () => {
    harness.failPublish({ status: 503 });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'unknown', statusCode: 503 });
    expect(failure.message).toMatch(new RegExp(`^${label} server error \\(503\\)`));
    expect(harness.landed()).toBe(0);
    await harness.provider.publish(account.credentials, harness.post());
    expect(harness.landed()).toBe(1);
  });

  it('gives up after PLATFORM_TIMEOUT_MS and reports the timeout as unknown', async () => {
    harness.failPublish({ delayMs: HANG_MS });

    const failure = await publish();

    expect(failure).toEqual({ kind: 'unknown', message: `Could not reach ${label}: request timed out` });
  });

  it('reports an answer lost after the post landed as unknown', async () => {
    harness.failPublish({ afterRecord: true, dropConnection: true });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'unknown' });
    expect(failure.message).toMatch(new RegExp(`^Could not reach ${label}: `));
    expect(harness.landed()).toBe(1);
  });

  it('reports a refused connection as retryable: nothing was sent', async () => {
    const port = await freePort();
    const { provider, credentials } = harness.elsewhere(`http://127.0.0.1:${port}`, account);

    const failure = await failureOf(provider, provider.publish(credentials, harness.post()));

    expect(failure).toMatchObject({ kind: 'retryable' });
    expect(failure.message).toMatch(new RegExp(`Could not reach ${label}: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  });
});
