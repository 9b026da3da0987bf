import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RequeueService } from '../../apps/scheduler/src/requeue/requeue.service.js';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from './api-client.js';
import { eventually, newAccount, newPost, newWorkspace, type TestWorkspace } from './factories.js';
import { startBackend, startScheduler, startWorker, type RunningBackend } from './herald-apps.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { testConfig, testEnvironment } from './test-environment.js';
import { createTestRedis, type TestRedis } from './test-redis.js';

/**
 * The whole system in one test process: real backend, worker and scheduler modules, each its own
 * Nest application with its own connections, against this file's database, Redis prefix and X emulator.
 */
export interface Pipeline {
  database: TestDatabase;
  redis: TestRedis;
  emulator: XEmulator;
  backend: RunningBackend;
  api: ApiClient;
  workspace: TestWorkspace;
  environment: Record<string, string>;
  /** Direct access to the test database, for assertions. */
  sql: DataSource;
  worker?: INestApplicationContext;
  scheduler?: INestApplicationContext;
  startWorker(): Promise<INestApplicationContext>;
  stopWorker(): Promise<void>;
  startScheduler(): Promise<INestApplicationContext>;
  stopScheduler(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipeline(
  options: { worker?: boolean; scheduler?: boolean; environment?: Record<string, string> } = {},
): Promise<Pipeline> {
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  const emulator = await startXEmulator({ host: '127.0.0.1' });
  const environment = testEnvironment(
    { databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url },
    options.environment,
  );
  const config = testConfig(environment);
  const backend = await startBackend(config);
  const api = new ApiClient(backend.url);
  const sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();

  const pipeline: Pipeline = {
    database,
    redis,
    emulator,
    backend,
    api,
    workspace: await newWorkspace(api),
    environment,
    sql,
    async startWorker() {
      pipeline.worker ??= await startWorker(config);
      return pipeline.worker;
    },
    async stopWorker() {
      await pipeline.worker?.close();
      pipeline.worker = undefined;
    },
    async startScheduler() {
      pipeline.scheduler ??= await startScheduler(config);
      return pipeline.scheduler;
    },
    async stopScheduler() {
      await pipeline.scheduler?.close();
      pipeline.scheduler = undefined;
    },
    async stop() {
      await pipeline.stopScheduler();
      await pipeline.stopWorker();
      await backend.close();
      await sql.destroy();
      await emulator.close();
      await redis.close();
      await database.drop();
    },
  };
  if (options.worker ?? true) await pipeline.startWorker();
  if (options.scheduler ?? true) await pipeline.startScheduler();
  return pipeline;
}

export interface TargetRow {
  id: string;
  status: string;
  attempts: number;
  platform_post_id: string | null;
  last_error: string | null;
  published_at: Date | null;
  next_attempt_at: Date | null;
}

export function targetsOf(pipeline: Pipeline, postId: string): Promise<TargetRow[]> {
  return pipeline.sql.query<TargetRow[]>(
    `SELECT id, status, attempts, platform_post_id, last_error, published_at, next_attempt_at FROM post_targets WHERE post_id = $1 ORDER BY created_at, id`,
    [postId],
  );
}

/** Nothing more will happen to the target by itself. */
export const isSettled = (target: TargetRow): boolean =>
  ['published', 'failed', 'cancelled', 'missed'].includes(target.status) ||
  (target.status === 'unknown' && target.next_attempt_at === null);

export function waitUntilSettled(pipeline: Pipeline, postId: string, timeoutMs = 20_000): Promise<TargetRow[]> {
  return eventually(
    async () => {
      const targets = await targetsOf(pipeline, postId);
      return targets.every(isSettled) ? targets : undefined;
    },
    { timeoutMs, what: `post ${postId} to settle` },
  );
}

/**
 * Runs a requeue pass that starts now (after the cron's, if one is running): once it returns, the
 * scheduler has looked at every target due by now.
 */
export async function requeuePassFromNow(pipeline: Pipeline): Promise<void> {
  const requeue = (await pipeline.startScheduler()).get(RequeueService);
  await eventually(async () => ((await requeue.requeueDue()) === 'busy' ? undefined : true), {
    what: 'a requeue pass of our own',
  });
}

/**
 * Proves that the pipeline is past `moment`, for tests that check something did *not* happen: a
 * witness post due at that moment has been published by the worker, then the scheduler ran a pass of
 * its own. Whatever was going to happen to a post due by then has had its turn.
 */
export async function pastMoment(pipeline: Pipeline, moment: Date): Promise<void> {
  const witness = await newAccount(pipeline.workspace);
  const post = await newPost(pipeline.workspace, { publishAt: moment, accountIds: [witness.id] });
  const [target] = await waitUntilSettled(pipeline, post.id);
  if (target.status !== 'published') throw new Error(`the witness post ended ${target.status}: ${target.last_error}`);
  await requeuePassFromNow(pipeline);
}

export async function postStatus(pipeline: Pipeline, postId: string): Promise<string> {
  const [row] = await pipeline.sql.query<{ status: string }[]>(`SELECT status FROM posts WHERE id = $1`, [postId]);
  return row.status;
}

export const secondsFromNow = (seconds: number): Date => new Date(Date.now() + seconds * 1000);
