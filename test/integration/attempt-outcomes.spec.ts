import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleLogger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { CredentialsCipher, KeyRing, PostTargetRepository, type ClaimedTarget } from '@app/shared';
import { AttemptRecorder } from '../../apps/worker/src/publish/attempt-recorder.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { eventually, newAccount, newPost } from '../support/factories.js';
import { isSettled, startPipeline, targetsOf, type Pipeline } from '../support/pipeline.js';
import { testConfig } from '../support/test-environment.js';

const ANOTHER_KEY = Buffer.alloc(32, 7).toString('base64');
const HOUR_MS = 3_600_000;

describe('how an attempt ends', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    // No scheduler: a target claimed by hand below must not get a job promoted under it.
    pipeline = await startPipeline({ scheduler: false });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  describe('credentials encrypted with a key not in the ring', () => {
    it.each([
      ['stored credentials', null],
      ['credentials due for renewal', "now() - interval '1 minute'"],
    ])('fail the target naming the key id and the variables, never the secret (%s)', async (_case, renewAt) => {
      const account = await newAccount(pipeline.workspace);
      const otherKey = new CredentialsCipher(
        new KeyRing(testConfig({ ...pipeline.environment, ENCRYPTION_KEY: ANOTHER_KEY })),
      );
      await pipeline.sql.query(
        `UPDATE social_accounts SET encrypted_credentials = $2, renew_at = ${renewAt ?? 'NULL'} WHERE id = $1`,
        [account.id, otherKey.encrypt(account.id, { accessToken: account.accessToken })],
      );
      const post = await newPost(pipeline.workspace, {
        content: `Sealed with another key ${_case}`,
        accountIds: [account.id],
      });

      const [target] = await eventually(
        async () => {
          const targets = await targetsOf(pipeline, post.id);
          return targets.every(isSettled) ? targets : undefined;
        },
        { what: 'the target to settle' },
      );
      expect(target).toMatchObject({ status: 'failed', attempts: 1 });
      expect(target.last_error).toMatch(
        /credentials could not be decrypted \(Could not decrypt: encrypted with key [0-9a-f]{12}, which is neither ENCRYPTION_KEY nor in DECRYPTION_KEYS\)/,
      );
      expect(target.last_error).not.toContain(ANOTHER_KEY);
      expect(target.last_error).not.toContain(account.accessToken);
      const sent = pipeline.emulator.requests.filter(
        (request) => request.token === account.accessToken && request.endpoint !== 'me',
      );
      expect(sent).toEqual([]);
    });
  });

  describe('after the lease was lost to another worker', () => {
    let worker: TestingModule;
    let targets: PostTargetRepository;
    let recorder: AttemptRecorder;

    beforeAll(async () => {
      // The worker's providers without starting its queue consumer (never initialised).
      worker = await Test.createTestingModule({ imports: [WorkerModule.forRoot(testConfig(pipeline.environment))] })
        .setLogger(new ConsoleLogger({ logLevels: ['error'] }))
        .compile();
      targets = worker.get(PostTargetRepository);
      recorder = worker.get(AttemptRecorder);
    });

    afterAll(async () => {
      await worker?.close();
    });

    /** This worker's claim of a new target, made due now. */
    async function claimNew(): Promise<{ claim: ClaimedTarget; accountId: string }> {
      const account = await newAccount(pipeline.workspace);
      const post = await newPost(pipeline.workspace, {
        publishAt: new Date(Date.now() + HOUR_MS),
        accountIds: [account.id],
      });
      const [{ id }] = await targetsOf(pipeline, post.id);
      await pipeline.sql.query(`UPDATE post_targets SET next_attempt_at = now() WHERE id = $1`, [id]);
      const claim = await targets.claim(id, 60);
      expect(claim).toMatchObject({ id, attempt: 1 });
      return { claim: claim!, accountId: account.id };
    }

    /** A claim of this worker, then a successor's claim of the same target (its lease having lapsed). */
    async function claimThenLose(): Promise<{ claim: ClaimedTarget; accountId: string }> {
      const claimed = await claimNew();
      await pipeline.sql.query(`UPDATE post_targets SET attempts = attempts + 1 WHERE id = $1`, [claimed.claim.id]);
      return claimed;
    }

    async function stateOf(claim: ClaimedTarget) {
      const [target] = await pipeline.sql.query<{ status: string; attempts: number; last_error: string | null }[]>(
        `SELECT status, attempts, last_error FROM post_targets WHERE id = $1`,
        [claim.id],
      );
      const [{ count }] = await pipeline.sql.query<{ count: string }[]>(
        `SELECT count(*) FROM publish_attempts WHERE target_id = $1`,
        [claim.id],
      );
      return { ...target, history: Number(count) };
    }

    const untouched = { status: 'publishing', attempts: 2, last_error: null, history: 0 };
    const lost = { kind: 'skipped', reason: 'another worker took the target over' };

    it.each([
      ['a retry', { kind: 'retry', at: new Date(Date.now() + 60_000), record: { outcome: 'retry', error: 'refused' } }],
      [
        'a check later',
        { kind: 'check-later', at: new Date(Date.now() + 60_000), record: { outcome: 'unknown', error: '503' } },
      ],
      ['a failure', { kind: 'settle', status: 'failed', record: { outcome: 'failed', error: 'refused (400)' } }],
      ['a miss', { kind: 'settle', status: 'missed', record: { outcome: 'missed', error: 'too late' } }],
      ['an unknown', { kind: 'settle', status: 'unknown', record: { outcome: 'unverifiable', error: 'cannot tell' } }],
    ] as const)('records nothing of %s and reports the target taken over', async (_case, end) => {
      const { claim } = await claimThenLose();
      expect(await recorder.end(claim, end)).toEqual(lost);
      expect(await stateOf(claim)).toEqual(untouched);
    });

    it('does not record a publication, nor a thread part, in the successor’s place', async () => {
      const { claim } = await claimThenLose();
      const post = { platformPostId: '42', url: 'https://x.com/i/web/status/42' };
      expect(await recorder.partsPublished(claim, [post], 60)).toBe(false);
      expect(await recorder.published(claim, [post], false)).toEqual(lost);
      expect(await stateOf(claim)).toEqual(untouched);
      const [{ published_parts }] = await pipeline.sql.query<{ published_parts: unknown[] }[]>(
        `SELECT published_parts FROM post_targets WHERE id = $1`,
        [claim.id],
      );
      expect(published_parts).toEqual([]);
    });

    it('while it holds the lease, records the outcome and the attempt', async () => {
      const { claim, accountId } = await claimNew();
      const at = new Date(Date.now() + HOUR_MS);
      const end = {
        kind: 'retry',
        at,
        record: { outcome: 'rate_limited', error: 'X rate limit reached (429)', statusCode: 429 },
        account: { kind: 'rate-limited', until: at },
      } as const;

      expect(await recorder.end(claim, end)).toEqual({ kind: 'retry', at, error: 'X rate limit reached (429)' });
      expect(await stateOf(claim)).toEqual({
        status: 'queued',
        attempts: 1,
        last_error: 'X rate limit reached (429)',
        history: 1,
      });
      const [{ rate_limited_until }] = await pipeline.sql.query<{ rate_limited_until: Date }[]>(
        `SELECT rate_limited_until FROM social_accounts WHERE id = $1`,
        [accountId],
      );
      expect(rate_limited_until.getTime()).toBe(at.getTime());
    });
  });
});
