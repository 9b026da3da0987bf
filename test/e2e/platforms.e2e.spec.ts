import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../support/api-client.js';
import { eventually, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { freePort, HeraldProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';
import { EMULATED_PLATFORMS, EMULATORS, type RunningEmulator } from '../../emulators/registry.js';
import type { PlatformFixture, RunningPlatform } from '../platforms/platform-fixture.js';
import { tinyJpeg } from '../support/images.js';

/**
 * Every platform end to end: the three apps as separate OS processes (built with `npm run build`),
 * each platform's real client code against its emulator. Per platform: text, an image, a thread
 * where the platform has them, and its own validation, auth and rate-limit errors. The platforms are
 * those of emulators/registry.ts: one emulator each, or one for several (Facebook and Instagram).
 */
describe('every platform, end to end through backend, worker and scheduler', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let mediaDir: string;
  let workspace: TestWorkspace;
  let baseUrl: string;
  const emulators: RunningEmulator[] = [];
  const platforms = new Map<string, RunningPlatform>();
  const platformEnv: Record<string, string> = {};
  const processes: HeraldProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    mediaDir = mkdtempSync(join(tmpdir(), 'herald-media-'));
    for (const entry of EMULATORS) {
      const emulator = await entry.start({ host: '127.0.0.1' });
      emulators.push(emulator);
      for (const fixture of entry.platforms) {
        platforms.set(fixture.platform, fixture.attach(emulator));
        Object.assign(platformEnv, fixture.env(emulator));
      }
    }
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const environment = {
      ...testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix }),
      ...platformEnv,
      PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
      MEDIA_STORAGE_DIR: mediaDir,
    };
    processes.push(await HeraldProcess.start('backend', environment));
    processes.push(
      ...(await Promise.all([
        HeraldProcess.start('worker', environment),
        HeraldProcess.start('scheduler', environment),
      ])),
    );
    workspace = await newWorkspace(new ApiClient(baseUrl));
  }, 300_000);

  afterAll(async () => {
    if (process.env.E2E_DEBUG) {
      for (const child of processes) console.log(`---- ${child.app}\n${child.log.slice(-8000)}`);
    }
    await Promise.all(processes.map((child) => child.kill('SIGKILL')));
    await Promise.all(emulators.map((emulator) => emulator.close()));
    await redis?.close();
    await database?.drop();
    if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
  });

  async function addAccount(fixture: PlatformFixture<unknown>, credentials: Record<string, unknown>): Promise<string> {
    const response = await workspace.api.post('/v1/accounts', { platform: fixture.platform, credentials });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  async function uploadImage(): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([tinyJpeg()], { type: 'image/jpeg' }), 'pixel.jpg');
    const response = await fetch(`${baseUrl}/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workspace.apiKey}` },
      body: form,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  async function settledTarget(postId: string): Promise<any> {
    return eventually(
      async () => {
        const { body } = await workspace.api.get(`/v1/posts/${postId}`);
        const target = body.targets[0];
        return ['published', 'failed', 'unknown', 'missed'].includes(target.status) ? target : undefined;
      },
      { timeoutMs: 30_000, what: `post ${postId} to settle` },
    );
  }

  async function schedule(body: Record<string, unknown>): Promise<string> {
    const response = await workspace.api.post('/v1/posts', body);
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  describe.each(EMULATED_PLATFORMS.map(({ fixture }) => [fixture.platform, fixture] as const))(
    '%s',
    (_name, fixture) => {
      const running = () => platforms.get(fixture.platform)!;
      const unique = (what: string) => `${what} on ${fixture.platform} ${Math.random().toString(36).slice(2, 8)}`;

      it('refuses credentials the platform refuses, quoting its answer', async () => {
        const response = await workspace.api.post('/v1/accounts', {
          platform: fixture.platform,
          credentials: running().badCredentials(),
        });
        expect(response.status).toBe(400);
        expect(response.body.details[0].field).toMatch(/^credentials/);
      });

      if (fixture.imageRequired) {
        it('refuses a post without an image, naming the platform', async () => {
          const accountId = await addAccount(fixture, running().newCredentials());
          const response = await workspace.api.post('/v1/posts', { content: 'Words only', accountIds: [accountId] });
          expect(response.status).toBe(400);
          expect(response.body.details).toContainEqual({ field: 'media', message: expect.stringMatching(/image/) });
        });
      } else {
        it('publishes text', async () => {
          const accountId = await addAccount(fixture, running().newCredentials());
          const text = unique('Hello');
          const target = await settledTarget(await schedule({ content: text, accountIds: [accountId] }));

          expect(target).toMatchObject({ status: 'published', error: null });
          const posts = running()
            .posts()
            .filter((post) => post.text === text);
          expect(posts).toHaveLength(1);
          expect(target.platformPostId).toBe(posts[0].id);
        });
      }

      it('publishes an image with its alt text', async () => {
        const accountId = await addAccount(fixture, running().newCredentials());
        const uploadId = await uploadImage();
        const text = unique('A picture');
        const postId = await schedule({
          content: text,
          accountIds: [accountId],
          media: [{ uploadId, altText: 'One red pixel' }],
        });
        const target = await settledTarget(postId);

        expect(target).toMatchObject({ status: 'published', error: null });
        const [post] = running()
          .posts()
          .filter((candidate) => candidate.text === text);
        expect(post.media).toHaveLength(1);
        expect(post.media[0].sizeBytes).toBeGreaterThan(0);
        if (post.media[0].altText !== '') expect(post.media[0].altText).toBe('One red pixel');
      });

      if (fixture.threads) {
        it('publishes a thread, each part answering the one before', async () => {
          const accountId = await addAccount(fixture, running().newCredentials());
          const texts = [unique('Thread 1/3'), unique('Thread 2/3'), unique('Thread 3/3')];
          const target = await settledTarget(
            await schedule({ content: texts[0], thread: texts.slice(1), accountIds: [accountId] }),
          );

          expect(target.status).toBe('published');
          const parts = texts.map((text) =>
            running()
              .posts()
              .find((post) => post.text === text)!,
          );
          expect(parts.every(Boolean)).toBe(true);
          expect(parts[0].replyToId).toBeUndefined();
          expect(parts[1].replyToId).toBe(parts[0].id);
          expect(parts[2].replyToId).toBe(parts[1].id);
          expect(target.publishedParts.map((part: { platformPostId: string }) => part.platformPostId)).toEqual(
            parts.map((part) => part.id),
          );
        });
      } else {
        it('refuses a thread, naming the platform', async () => {
          const accountId = await addAccount(fixture, running().newCredentials());
          const response = await workspace.api.post('/v1/posts', {
            content: 'One',
            thread: ['Two'],
            accountIds: [accountId],
          });
          expect(response.status).toBe(400);
          expect(response.body.details).toContainEqual({
            field: 'thread',
            message: expect.stringMatching(/no threads/),
          });
        });
      }

      it('refuses text longer than the platform allows, before saving anything', async () => {
        const accountId = await addAccount(fixture, running().newCredentials());
        const response = await workspace.api.post('/v1/posts', {
          content: fixture.tooLongText,
          accountIds: [accountId],
        });

        expect(response.status).toBe(400);
        expect(response.body.details).toContainEqual({ field: 'content', message: expect.any(String) });
        expect((await workspace.api.get('/v1/posts?limit=100')).body.items).not.toContainEqual(
          expect.objectContaining({ content: fixture.tooLongText }),
        );
      });

      it('fails the post clearly and marks the account needs_reauth when the platform revokes its access', async () => {
        const credentials = running().newCredentials();
        const accountId = await addAccount(fixture, credentials);
        running().revoke(credentials);
        const postId = await schedule({
          content: unique('Revoked'),
          accountIds: [accountId],
          ...(await imageIfRequired()),
        });
        const target = await settledTarget(postId);

        expect(target.status).toBe('failed');
        expect(target.error).toMatch(/credential|token|auth|revoked|webhook|forbidden|unauthori/i);
        const account = (await workspace.api.get(`/v1/accounts/${accountId}`)).body;
        expect(account).toMatchObject({ status: 'needs_reauth', statusReason: expect.any(String) });
      });

      it('waits out a rate limit instead of failing', async () => {
        const accountId = await addAccount(fixture, running().newCredentials());
        running().failNextPublish({ status: 429 });
        const postId = await schedule({
          content: unique('Limited'),
          accountIds: [accountId],
          ...(await imageIfRequired()),
        });

        const history = await eventually(
          async () => {
            const { body } = await workspace.api.get(`/v1/posts/${postId}`);
            const [target] = body.targets;
            return target.history.length > 0 ? { target, history: target.history } : undefined;
          },
          { timeoutMs: 30_000, what: 'a first attempt' },
        );
        expect(history.history[0]).toMatchObject({ outcome: 'rate_limited', statusCode: 429 });
        expect(['queued', 'publishing', 'published']).toContain(history.target.status);
      });

      async function imageIfRequired(): Promise<Record<string, unknown>> {
        return fixture.imageRequired ? { media: [{ uploadId: await uploadImage(), altText: 'pixel' }] } : {};
      }
    },
  );
});
