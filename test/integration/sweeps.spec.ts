import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  IdempotencyKeyRepository,
  MediaService,
  MediaStorage,
  MissingMediaError,
  mediaStorageKey,
  PostRepository,
  TransactionRunner,
  WorkspaceRepository,
} from '@app/shared';
import { SweepService } from '../../apps/scheduler/src/sweep/sweep.service.js';
import { pngImage } from '../support/images.js';
import { startScheduler } from '../support/herald-apps.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const HOUR_MS = 60 * 60 * 1000;

describe('sweeps', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let mediaDir: string;
  let scheduler: INestApplicationContext;
  let workspaceId: string;

  const sql = () => scheduler.get(DataSource);
  const keysOf = async () =>
    (await sql().query<{ key: string }[]>('SELECT key FROM idempotency_keys ORDER BY key')).map((row) => row.key);
  const mediaIds = async () =>
    (await sql().query<{ id: string }[]>('SELECT id FROM media')).map((row) => row.id).sort();
  const setCreatedAt = (table: 'idempotency_keys' | 'media', column: string, value: string, at: Date) =>
    sql().query(`UPDATE ${table} SET created_at = $2 WHERE ${column} = $1`, [value, at]);
  const fileExists = (id: string) =>
    scheduler
      .get(MediaStorage)
      .read(mediaStorageKey(id))
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof MissingMediaError) return false;
          throw error;
        },
      );
  const upload = async () => (await scheduler.get(MediaService).store(workspaceId, pngImage(2, 2, 'noise'))).id;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    mediaDir = await mkdtemp(join(tmpdir(), 'herald-sweep-test-'));
    // The sweep's own cron never fires here: each test runs a pass with the 'now' it needs.
    const environment = testEnvironment(
      { databaseUrl: database.url, queuePrefix: redis.prefix },
      { MEDIA_STORAGE_DIR: mediaDir, SWEEP_CRON: '0 0 1 1 *' },
    );
    scheduler = await startScheduler(testConfig(environment));
    workspaceId = (await scheduler.get(WorkspaceRepository).createWithApiKey('Sweeps', randomBytes(16).toString('hex')))
      .id;
  });

  afterAll(async () => {
    await scheduler?.close();
    await redis?.close();
    await database?.drop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('removes idempotency keys past their 24 hours and keeps the live ones', async () => {
    const now = new Date();
    const keys = scheduler.get(IdempotencyKeyRepository);
    await scheduler.get(TransactionRunner).run(async (tx) => {
      await keys.claim(tx, workspaceId, { key: 'expired', requestHash: 'a' });
      await keys.claim(tx, workspaceId, { key: 'live', requestHash: 'b' });
    });
    await setCreatedAt('idempotency_keys', 'key', 'expired', new Date(now.getTime() - 25 * HOUR_MS));
    await setCreatedAt('idempotency_keys', 'key', 'live', new Date(now.getTime() - 23 * HOUR_MS));

    const summary = await scheduler.get(SweepService).sweep(now);

    expect(summary.idempotencyKeys).toBe(1);
    expect(await keysOf()).toEqual(['live']);
  });

  it('removes uploads no post references after 24 hours, row and file, and keeps referenced and fresh ones', async () => {
    const now = new Date(Date.now() + 48 * HOUR_MS);
    const [unreferenced, referenced, fresh] = [await upload(), await upload(), await upload()];
    await setCreatedAt('media', 'id', fresh, new Date(now.getTime() - 23 * HOUR_MS));
    await scheduler.get(TransactionRunner).run((tx) =>
      scheduler.get(PostRepository).insert(tx, {
        workspaceId,
        content: 'With an image',
        media: [{ mediaId: referenced, altText: null }],
        thread: [],
        publishAt: new Date(),
      }),
    );
    expect(await fileExists(unreferenced)).toBe(true);

    const summary = await scheduler.get(SweepService).sweep(now);

    expect(summary.media).toBe(1);
    expect(await mediaIds()).toEqual([referenced, fresh].sort());
    expect(await fileExists(unreferenced)).toBe(false);
    expect(await fileExists(referenced)).toBe(true);
    expect(await fileExists(fresh)).toBe(true);
  });
});
