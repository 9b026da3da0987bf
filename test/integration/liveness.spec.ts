import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { SCHEDULER_LOCK_KEYS } from '../../apps/scheduler/src/common/scheduler-lock.js';
import { PublishTargetProcessor } from '../../apps/worker/src/publish/publish-target.processor.js';
import { eventually } from '../support/factories.js';
import { startScheduler, startWorker } from '../support/herald-apps.js';
import { freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// Each wait below has a 30 s deadline (it only bounds how long a failure takes); the test's own limit is above it.
jest.setTimeout(90_000);

/** Nothing listens there: connections are refused at once. */
const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

interface Health {
  status: number;
  body: any;
}

/**
 * GET /health on HEALTH_PORT of the real worker and scheduler modules, against this file's database
 * and Redis prefix: 200 while they can do their job, 503 naming what stops them.
 */
describe('liveness of the worker and the scheduler', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  const running: INestApplicationContext[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await redis?.close();
    await database?.drop();
  });

  async function start(
    app: 'worker' | 'scheduler',
    overrides: Record<string, string> = {},
  ): Promise<{ context: INestApplicationContext; health: () => Promise<Health> }> {
    const port = await freePort();
    const config = testConfig(
      testEnvironment(
        { databaseUrl: database.url, queuePrefix: redis.prefix },
        { HEALTH_PORT: String(port), ...overrides },
      ),
    );
    const context = await (app === 'worker' ? startWorker(config) : startScheduler(config));
    running.push(context);
    const health = async (): Promise<Health> => {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.json() };
    };
    return { context, health };
  }

  describe('worker', () => {
    it('is live while it can take jobs, and names the worker while it is paused or closed', async () => {
      const { context, health } = await start('worker');
      const { worker } = context.get(PublishTargetProcessor);
      await worker.waitUntilReady();

      expect(await health()).toEqual({
        status: 200,
        body: {
          status: 'ok',
          checks: { worker: { status: 'up', concurrency: 4 }, redis: { status: 'up' }, postgres: { status: 'up' } },
        },
      });

      await worker.pause();
      expect(await health()).toMatchObject({
        status: 503,
        body: {
          status: 'error',
          checks: { worker: { status: 'down', message: 'worker is paused' }, postgres: { status: 'up' } },
        },
      });

      await worker.resume();
      expect(await health()).toMatchObject({ status: 200, body: { status: 'ok' } });

      await worker.close();
      const closed = await health();
      expect(closed).toMatchObject({
        status: 503,
        body: {
          status: 'error',
          checks: {
            worker: { status: 'down', message: 'worker is closing' },
            redis: { status: 'down' },
            postgres: { status: 'up' },
          },
        },
      });
    });

    it('is not live while its Redis is unreachable', async () => {
      const { context, health } = await start('worker', { REDIS_URL: DEAD_REDIS_URL });
      const { status, body } = await health();
      // A graceful close waits for Redis to come back; this one never will.
      await context.get(PublishTargetProcessor).worker.close(true);
      expect(status).toBe(503);
      expect(body.status).toBe('error');
      expect(body.checks.redis).toEqual({ status: 'down', message: 'connection is initializing' });
      expect(body.checks.postgres).toEqual({ status: 'up' });
    });

    it('serves nothing but GET /health', async () => {
      const port = await freePort();
      const config = testConfig(
        testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix }, { HEALTH_PORT: String(port) }),
      );
      running.push(await startWorker(config));
      const other = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(other.status).toBe(404);
      const post = await fetch(`http://127.0.0.1:${port}/health`, { method: 'POST' });
      expect(post.status).toBe(405);
    });
  });

  describe('scheduler', () => {
    it('is live while its requeue passes complete, or find another replica holding the lock', async () => {
      const { health } = await start('scheduler', { SCHEDULER_CRON: '*/1 * * * * *' });
      const afterPass = await eventually(
        async () => {
          const result = await health();
          return result.body.checks.requeue.lastProgressAt ? result : undefined;
        },
        { timeoutMs: 30_000, what: 'a completed requeue pass' },
      );
      expect(afterPass).toEqual({
        status: 200,
        body: {
          status: 'ok',
          checks: { requeue: { status: 'up', lastProgressAt: expect.any(String), deadline: expect.any(String) } },
        },
      });

      // Another "replica" holds the lock: no pass can run, yet standing by is progress.
      const lockHolder = await new DataSource({ type: 'postgres', url: database.url }).initialize();
      let session: QueryRunner | undefined;
      try {
        session = lockHolder.createQueryRunner();
        await session.query('SELECT pg_advisory_lock($1)', [SCHEDULER_LOCK_KEYS.requeue]);
        const lockedAt = Date.now();
        const whileLocked = await eventually(
          async () => {
            const result = await health();
            return Date.parse(result.body.checks.requeue.lastProgressAt) > lockedAt ? result : undefined;
          },
          { timeoutMs: 30_000, what: 'a tick that finds the lock taken' },
        );
        expect(whileLocked.status).toBe(200);
      } finally {
        await session?.release();
        await lockHolder.destroy();
      }
    });

    it('is live for a few ticks after start-up, then not live while its passes fail', async () => {
      const { health } = await start('scheduler', { SCHEDULER_CRON: '*/2 * * * * *', REDIS_URL: DEAD_REDIS_URL });

      // Three ticks (at least 6 s) of grace before the first pass has to have completed.
      expect(await health()).toMatchObject({
        status: 200,
        body: { status: 'ok', checks: { requeue: { status: 'up', lastProgressAt: null } } },
      });

      const stuck = await eventually(
        async () => {
          const result = await health();
          return result.status === 503 ? result : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'the scheduler to report that it is stuck' },
      );
      expect(stuck.body).toEqual({
        status: 'error',
        checks: {
          requeue: {
            status: 'down',
            message: expect.stringMatching(
              /^no requeue progress since start-up: 3 ticks of "\*\/2 \* \* \* \* \*" missed; last failure: .+/,
            ),
          },
        },
      });
    });
  });
});
