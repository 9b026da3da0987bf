import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { PublishFailure } from '@app/shared';
import { EMULATED_PLATFORMS } from '../../emulators/registry.js';
import { freePort } from '../support/processes.js';
import {
  type Account,
  type AnyProvider,
  ContractServers,
  contractHarness,
  type Harness,
  TIMEOUT_MS,
} from './provider-contract.harness.js';

/**
 * What every platform provider promises about failures, checked against each platform's emulator with the
 * platform's own error bodies and rate-limit headers: a refused token is permanent, a 429 waits for the
 * platform's reset, anything that may have landed (5xx, timeout, lost answer) is unknown, and only what
 * certainly did not land (nothing listening) is retryable. What is particular to a platform stays in its
 * provider spec. Every platform of emulators/registry.ts is checked, with its provider from platform.registry.ts.
 */

/** Far beyond the provider's timeout: a test that passes proves the provider gave up on its own. */
const HANG_MS = TIMEOUT_MS * 30;
/** The kit's injected 429s reset in 60 s. */
const RESET_MS = 60_000;

const servers = new ContractServers();
afterAll(() => servers.close());

/** Awaits `publishing`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: AnyProvider, publishing: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await publishing.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

const platforms = EMULATED_PLATFORMS.map(({ entry, fixture }) => ({ platform: fixture.platform, entry, fixture }));

describe.each(platforms)('$platform provider contract', ({ entry, fixture }) => {
  let harness: Harness;
  let account: Account;

  beforeAll(async () => {
    harness = await contractHarness(fixture, await servers.emulator(entry), servers);
  });
  beforeEach(async () => {
    harness.platform.reset();
    account = await harness.newAccount();
    harness.platform.reset(); // forget the calls that made the account ready
  });

  const publish = () => failureOf(harness.provider, harness.provider.publish(account.credentials, harness.post()));

  it('reports a 401 as permanent, rejected credentials, without the secret in the message', async () => {
    // Every call, so that a provider which signs in again on a 401 (Bluesky) is refused there too.
    harness.platform.failNextCall({ status: 401, count: 10 });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 401, credentialsRejected: true });
    // A failure before the publishing call may say so first (Instagram: "Preparing the Instagram post failed: ").
    expect(failure.message).toMatch(new RegExp(`${harness.label} rejected .*\\(401\\)`));
    expect(failure.message).not.toContain(account.secret);
    expect(harness.platform.posts().length).toBe(0);
  });

  it('reports a 429 as retryable and rate limited, until the reset the platform gave', async () => {
    harness.platform.failNextPublish({ status: 429 });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'retryable', statusCode: 429, rateLimited: true });
    expect(failure.message).toMatch(new RegExp(`^${harness.label} rate limit reached \\(429`));
    if (fixture.reportsRateLimitReset) {
      expect(failure.retryAfterMs).toBeGreaterThan(RESET_MS - 10_000);
      expect(failure.retryAfterMs).toBeLessThanOrEqual(RESET_MS + 1_000);
    } else {
      expect(failure.retryAfterMs).toBeUndefined();
    }
    expect(harness.platform.posts().length).toBe(0);
  });

  it('reports a 5xx as unknown (the post may exist), and the next attempt goes through', async () => {
    harness.platform.failNextPublish({ status: 503 });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'unknown', statusCode: 503 });
    expect(failure.message).toMatch(new RegExp(`^${harness.label} server error \\(503\\)`));
    expect(harness.platform.posts().length).toBe(0);
    await harness.provider.publish(account.credentials, harness.post());
    expect(harness.platform.posts().length).toBe(1);
  });

  it('gives up after PLATFORM_TIMEOUT_MS and reports the timeout as unknown', async () => {
    harness.platform.failNextPublish({ delayMs: HANG_MS });

    const failure = await publish();

    expect(failure).toEqual({ kind: 'unknown', message: `Could not reach ${harness.label}: request timed out` });
  });

  it('reports an answer lost after the post landed as unknown', async () => {
    harness.platform.failNextPublish({ afterRecord: true, dropConnection: true });

    const failure = await publish();

    expect(failure).toMatchObject({ kind: 'unknown' });
    expect(failure.message).toMatch(new RegExp(`^Could not reach ${harness.label}: `));
    expect(harness.platform.posts().length).toBe(1);
  });

  it('reports a refused connection as retryable: nothing was sent', async () => {
    const port = await freePort();
    const { provider, credentials } = harness.elsewhere(`http://127.0.0.1:${port}`, account);

    const failure = await failureOf(provider, provider.publish(credentials, harness.post()));

    expect(failure).toMatchObject({ kind: 'retryable' });
    expect(failure.message).toMatch(
      new RegExp(`Could not reach ${harness.label}: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
    );
  });
});
