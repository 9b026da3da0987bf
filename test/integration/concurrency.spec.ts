import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RequeueService } from '../../apps/scheduler/src/requeue/requeue.service.js';
import {
  dataSourceOptions,
  dueTargetsQuery,
  MIGRATIONS,
  PostTargetRepository,
  POST_QUEUE,
  runMigrations,
  type PostView,
} from '@app/shared';
import { newAccount, newPost } from '../support/factories.js';
import { startScheduler } from '../support/herald-apps.js';
import { startPipeline, targetsOf, type Pipeline } from '../support/pipeline.js';
import { repositoriesOver } from '../support/repositories.js';
import { databaseUrl, dropDatabase, runId, TEST_DATABASE_PREFIX, withAdmin } from '../support/test-database.js';
import { testConfig } from '../support/test-environment.js';

/** The guarantees that hold because PostgreSQL arbitrates: one publisher per target, one requeue per tick. */
describe('concurrency', () => {
  let pipeline: Pipeline;
  let targets: PostTargetRepository;

  beforeAll(async () => {
    pipeline = await startPipeline({ worker: false, scheduler: false });
    // As the worker claims: its pool works across workspaces, where the backend's acts for one at a time.
    targets = repositoriesOver(pipeline.sql).targets;
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  async function duePost(count = 1): Promise<PostView & { targets: { id: string }[] }> {
    const accounts = [];
    for (let i = 0; i < count; i++) accounts.push(await newAccount(pipeline.workspace));
    return newPost(pipeline.workspace, { accountIds: accounts.map((account) => account.id) });
  }

  describe('claiming a target', () => {
    it('lets exactly one of many concurrent claims win', async () => {
      const post = await duePost();
      const claims = await Promise.all(Array.from({ length: 20 }, () => targets.claim(post.targets[0].id, 30)));
      expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
      expect((await targetsOf(pipeline, post.id))[0]).toMatchObject({ status: 'publishing', attempts: 1 });
    });

    it('refuses a target that is not due yet, and says when to look again', async () => {
      const account = await newAccount(pipeline.workspace);
      const publishAt = new Date(Date.now() + 3_600_000);
      const post = await newPost(pipeline.workspace, { accountIds: [account.id], publishAt });
      expect(await targets.claim(post.targets[0].id, 30)).toBeNull();
      const why = await targets.whyUnclaimable(post.targets[0].id);
      expect(why).toEqual({ status: 'scheduled', retryAt: publishAt });
    });

    it('refuses a cancelled target for good', async () => {
      const post = await duePost();
      await pipeline.workspace.api.delete(`/v1/posts/${post.id}`);
      expect(await targets.claim(post.targets[0].id, 30)).toBeNull();
      expect(await targets.whyUnclaimable(post.targets[0].id)).toEqual({ status: 'cancelled', retryAt: null });
    });

    it('takes over a lapsed lease and fences out the worker that lost it', async () => {
      const post = await duePost();
      const first = await targets.claim(post.targets[0].id, 30);
      expect(first?.previousStatus).toBe('scheduled');
      await pipeline.sql.query(`UPDATE post_targets SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [
        post.targets[0].id,
      ]);
      const second = await targets.claim(post.targets[0].id, 30);
      expect(second).toMatchObject({ attempt: 2, previousStatus: 'publishing' });
      expect(second?.previousAttemptStartedAt).toBeInstanceOf(Date);

      expect(await targets.markPublished(first!, [{ platformPostId: 'stale', url: 'u' }], 'published')).toBe(false);
      expect(await targets.markPublished(second!, [{ platformPostId: 'fresh', url: 'u' }], 'published')).toBe(true);
      expect((await targetsOf(pipeline, post.id))[0]).toMatchObject({ status: 'published', platform_post_id: 'fresh' });
    });

    it('keeps the post status in step with concurrent target changes', async () => {
      const post = await duePost(6);
      const claims = await Promise.all(post.targets.map((target) => targets.claim(target.id, 30)));
      await Promise.all(
        claims.map((claim, index) =>
          index % 2 === 0
            ? targets.markPublished(claim!, [{ platformPostId: `p${index}`, url: 'u' }], 'published')
            : targets.markFailed(claim!, { outcome: 'failed', error: 'nope' }),
        ),
      );
      const [row] = await pipeline.sql.query<{ status: string }[]>(`SELECT status FROM posts WHERE id = $1`, [post.id]);
      expect(row.status).toBe('partially_published');
    });

    it('keeps the post status in step when sibling targets are claimed and recorded at once', async () => {
      for (let round = 0; round < 5; round++) {
        const post = await duePost(2);
        const [a, b] = post.targets.map((target) => target.id);
        const [claimA, claimB] = await Promise.all([targets.claim(a, 30), targets.claim(b, 30)]);
        const results = await Promise.all([
          targets.markPublished(claimA!, [{ platformPostId: `a${round}`, url: 'u' }], 'published'),
          targets.markPublished(claimB!, [{ platformPostId: `b${round}`, url: 'u' }], 'published'),
        ]);
        expect(results).toEqual([true, true]);
        const [row] = await pipeline.sql.query<{ status: string }[]>(`SELECT status FROM posts WHERE id = $1`, [
          post.id,
        ]);
        expect(row.status).toBe('published');
        const attempts = await pipeline.sql.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM publish_attempts WHERE target_id = ANY($1::uuid[])`,
          [[a, b]],
        );
        expect(attempts[0].n).toBe(2);
      }
    });

    it('lets either a claim or a cancel win when they race, never both, and the post says which', async () => {
      for (let round = 0; round < 5; round++) {
        const post = await duePost(2);
        const [claim, cancel] = await Promise.all([
          targets.claim(post.targets[0].id, 30),
          pipeline.workspace.api.delete(`/v1/posts/${post.id}`),
        ]);
        const rows = await targetsOf(pipeline, post.id);
        const [row] = await pipeline.sql.query<{ status: string }[]>(`SELECT status FROM posts WHERE id = $1`, [
          post.id,
        ]);
        if (claim) {
          expect(cancel.status).toBe(409);
          expect(rows.map((target) => target.status)).toEqual(['publishing', 'scheduled']);
          expect(row.status).toBe('publishing');
        } else {
          expect(cancel.status).toBe(200);
          expect(rows.map((target) => target.status)).toEqual(['cancelled', 'cancelled']);
          expect(row.status).toBe('cancelled');
        }
      }
    });
  });

  describe('several schedulers at once', () => {
    let schedulers: INestApplicationContext[];

    beforeAll(async () => {
      const quiet = testConfig({ ...pipeline.environment, SCHEDULER_CRON: '0 0 1 1 *' });
      schedulers = [await startScheduler(quiet), await startScheduler(quiet), await startScheduler(quiet)];
    });

    afterAll(async () => {
      await Promise.all(schedulers.map((scheduler) => scheduler.close()));
    });

    it('enqueues every due target exactly once and skips none', async () => {
      await pipeline.redis.flush();
      const posts = [];
      for (let i = 0; i < 30; i++) posts.push(await duePost());
      await pipeline.redis.flush();

      const passes = await Promise.all(schedulers.map((scheduler) => scheduler.get(RequeueService).requeueDue()));
      const added = passes.reduce((sum, pass) => sum + (pass === 'busy' ? 0 : pass.added), 0);
      const due = await pipeline.sql.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM post_targets WHERE status IN ('scheduled', 'queued') AND next_attempt_at <= now()`,
      );
      expect(added).toBe(due[0].n);

      // Ready to run, by priority: the pass ranks the workspace's targets oldest first (see publish-priority.ts).
      const ready = await pipeline.redis.client.zrange(`${pipeline.redis.prefix}:${POST_QUEUE}:prioritized`, '0', '-1');
      for (const post of posts) expect(ready.filter((id) => id === post.targets[0].id)).toHaveLength(1);
      const ids = posts.map((post) => post.targets[0].id);
      expect(ready.filter((id) => ids.includes(id))).toEqual(ids);
      for (const post of posts) expect((await targetsOf(pipeline, post.id))[0].status).toBe('queued');

      // No deployment-wide rate limit: pacing is per account and per platform app, in the worker.
      const meta = await pipeline.redis.client.hget(`${pipeline.redis.prefix}:${POST_QUEUE}:meta`, 'max');
      expect(meta).toBeNull();

      const again = await schedulers[0].get(RequeueService).requeueDue();
      expect(again).toMatchObject({ added: 0, promoted: 0, replaced: 0, retried: 0 });
    });

    it('pages through many targets due at the very same instant', async () => {
      const posts = [];
      for (let i = 0; i < 20; i++) posts.push(await duePost());
      await pipeline.sql.query(
        `UPDATE post_targets SET next_attempt_at = now() WHERE status IN ('scheduled', 'queued')`,
      );
      await pipeline.redis.flush();
      const small = await startScheduler(
        testConfig({ ...pipeline.environment, SCHEDULER_CRON: '0 0 1 1 *', SCHEDULER_BATCH_SIZE: '7' }),
      );
      try {
        const pass = await small.get(RequeueService).requeueDue();
        const due = await pipeline.sql.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM post_targets WHERE status IN ('scheduled', 'queued') AND next_attempt_at <= now()`,
        );
        expect(pass).toMatchObject({ added: due[0].n });
        expect(due[0].n).toBeGreaterThanOrEqual(20);
      } finally {
        await small.close();
      }
    });

    it('promotes the delayed job of a target that became due', async () => {
      const account = await newAccount(pipeline.workspace);
      const post = await newPost(pipeline.workspace, {
        accountIds: [account.id],
        publishAt: new Date(Date.now() + 3_600_000),
      });
      await pipeline.sql.query(`UPDATE post_targets SET next_attempt_at = now() WHERE id = $1`, [post.targets[0].id]);
      const pass = await schedulers[0].get(RequeueService).requeueDue();
      expect(pass).toMatchObject({ promoted: 1 });
      // Ready to run with the priority it was added with (its rank when the API scheduled it).
      const ready = await pipeline.redis.client.zrange(`${pipeline.redis.prefix}:${POST_QUEUE}:prioritized`, '0', '-1');
      expect(ready).toContain(post.targets[0].id);
    });
  });

  describe('the due scan', () => {
    it('reads the partial index, not the table, with many future targets', async () => {
      const account = await newAccount(pipeline.workspace);
      await pipeline.sql.query(
        `WITH posts AS (
           INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
           SELECT $1, 'future ' || g, now() + g * interval '1 minute', 3600, 'scheduled' FROM generate_series(1, 20000) g
           RETURNING id, publish_at)
         INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
         SELECT id, $2, 'x', 'scheduled', publish_at, publish_at FROM posts`,
        [pipeline.workspace.id, account.id],
      );
      await pipeline.sql.query(`ANALYZE post_targets`);
      const scan = dueTargetsQuery(500);
      const plan = await pipeline.sql.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${scan.text}`, scan.values);
      const text = plan.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toContain('post_targets_due_idx');
      expect(text).not.toMatch(/Seq Scan on post_targets/);
    });
  });
});

describe('migrations', () => {
  const name = `${TEST_DATABASE_PREFIX}${runId()}_blank_${randomBytes(3).toString('hex')}`;

  beforeAll(() => withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`)));
  afterAll(() => dropDatabase(name));

  it('survives several processes migrating the same database at once', async () => {
    const sources = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        new DataSource(dataSourceOptions(databaseUrl(name), `migrator-${i}`)).initialize(),
      ),
    );
    try {
      const applied = await Promise.all(sources.map((source) => runMigrations(source)));
      expect(applied.flat()).toHaveLength(MIGRATIONS.length);
      const rows = await sources[0].query<{ name: string }[]>(`SELECT name FROM migrations`);
      expect(rows).toHaveLength(MIGRATIONS.length);
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
    }
  });
});
