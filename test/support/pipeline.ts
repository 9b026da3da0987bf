import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from './api-client.js';
import { newWorkspace, type TestWorkspace } from './factories.js';
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

export async function postStatus(pipeline: Pipeline, postId: string): Promise<string> {
  const [row] = await pipeline.sql.query<{ status: string }[]>(`SELECT status FROM posts WHERE id = $1`, [postId]);
  return row.status;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const secondsFromNow = (seconds: number): Date => new Date(Date.now() + seconds * 1000);
