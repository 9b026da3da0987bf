import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { RecordedTweet } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { eventually, newAccount } from '../support/factories.js';
import { startBackend } from '../support/herald-apps.js';
import { startImageServer } from '../support/image-server.js';
import { tinyJpeg } from '../support/images.js';
import { secondsFromNow, startPipeline, targetsOf, waitUntilSettled, type Pipeline } from '../support/pipeline.js';
import { testConfig } from '../support/test-environment.js';

/** Threads, images (uploaded and remote), per-account text and content validation, through the X emulator. */

// Two publishes of a thread, each waited for generously: more than the default 30 s on a slow machine.
jest.setTimeout(120_000);

const SSRF_REFUSAL = 'resolves to a private or reserved network address, which Herald does not fetch (SSRF protection)';

/** A short tag that keeps every test's texts unique (X refuses the same text twice from one author). */
const uniqueTag = () => randomBytes(4).toString('hex');

const statusUrl = (id: string) => `https://x.com/i/web/status/${id}`;

describe('rich posts: threads, media and per-account content on X', () => {
  let pipeline: Pipeline;
  let mediaDir: string;

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'herald-rich-posts-'));
    // 127.0.0.1 is allowed so that a remote image can come from a local server (see the remote-media tests).
    pipeline = await startPipeline({
      environment: { MEDIA_STORAGE_DIR: mediaDir, PRIVATE_NETWORK_ALLOWLIST: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  const tweetsWith = (text: string) => pipeline.emulator.tweets.filter((tweet) => tweet.text === text);
  const onlyTweetWith = (text: string): RecordedTweet => {
    const tweets = tweetsWith(text);
    expect(tweets).toHaveLength(1);
    return tweets[0];
  };
  const createTweetsBy = (token: string) =>
    pipeline.emulator.requests.filter((request) => request.endpoint === 'createTweet' && request.token === token);

  async function createPost(body: Record<string, unknown>): Promise<any> {
    const response = await pipeline.workspace.api.post('/v1/posts', body);
    if (response.status !== 201) throw new Error(`createPost: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async function getPost(postId: string): Promise<any> {
    const response = await pipeline.workspace.api.get(`/v1/posts/${postId}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  /** `POST /v1/media` as a client sends it: multipart/form-data, the image in the field `file`. */
  async function upload(bytes: Buffer, name = 'photo.jpg'): Promise<{ id: string; mimeType: string }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), name);
    const response = await fetch(`${pipeline.backend.url}/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pipeline.workspace.apiKey}` },
      body: form,
    });
    const body = (await response.json()) as any;
    if (response.status !== 201) throw new Error(`upload: ${response.status} ${JSON.stringify(body)}`);
    return body;
  }

  async function countRows(table: 'posts' | 'media'): Promise<number> {
    const [row] = await pipeline.sql.query<{ count: string }[]>(
      `SELECT count(*) FROM ${table} WHERE workspace_id = $1`,
      [pipeline.workspace.id],
    );
    return Number(row.count);
  }

  describe('threads', () => {
    it('stops at a part X refuses, and a retry goes on after the parts already published', async () => {
      const tag = uniqueTag();
      const parts = [`Thread ${tag} 1/3`, `Thread ${tag} 2/3`, `Thread ${tag} 3/3`];
      const account = await newAccount(pipeline.workspace);
      // Faults match in the order queued: the first createTweet goes through untouched, the second gets a 403.
      pipeline.emulator.failNext({ endpoint: 'createTweet' });
      pipeline.emulator.failNext({
        endpoint: 'createTweet',
        status: 403,
        body: { title: 'Forbidden', detail: 'Replies are limited on this post', status: 403 },
      });
      const post = await createPost({ content: parts[0], thread: parts.slice(1), accountIds: [account.id] });

      const [failed] = await waitUntilSettled(pipeline, post.id);
      const first = onlyTweetWith(parts[0]);
      expect(first.replyToId).toBeUndefined();
      expect(tweetsWith(parts[1])).toHaveLength(0);
      expect(tweetsWith(parts[2])).toHaveLength(0);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, platform_post_id: null });
      expect(failed.last_error).toMatch(/^Thread part 2 of 3\b/);
      expect(failed.last_error).toMatch(/X rejected the post \(403\): Replies are limited on this post$/);

      const afterFailure = await getPost(post.id);
      expect(afterFailure.status).toBe('failed');
      expect(afterFailure.targets[0]).toMatchObject({
        status: 'failed',
        platformPostId: null,
        error: failed.last_error,
        publishedParts: [{ platformPostId: first.id, url: statusUrl(first.id) }],
      });

      const retried = await pipeline.workspace.api.post(`/v1/posts/${post.id}/retry`);
      expect(retried.status).toBe(200);
      await eventually(
        async () => ((await targetsOf(pipeline, post.id))[0].status === 'published' ? true : undefined),
        { timeoutMs: 30_000, what: 'the retried thread to be published' },
      );

      // Part 1 was not posted again: parts 2 and 3 answer the part 1 of the first attempt.
      expect(onlyTweetWith(parts[0]).id).toBe(first.id);
      const second = onlyTweetWith(parts[1]);
      const third = onlyTweetWith(parts[2]);
      expect(second.replyToId).toBe(first.id);
      expect(third.replyToId).toBe(second.id);
      expect(createTweetsBy(account.accessToken).map((request) => request.status)).toEqual([201, 403, 201, 201]);

      const published = await getPost(post.id);
      expect(published.status).toBe('published');
      expect(published.targets[0]).toMatchObject({
        status: 'published',
        attempts: 1,
        error: null,
        platformPostId: first.id,
        url: statusUrl(first.id),
        publishedParts: [first, second, third].map((tweet) => ({
          platformPostId: tweet.id,
          url: statusUrl(tweet.id),
        })),
      });
      expect(published.targets[0].history.map((attempt: { outcome: string }) => attempt.outcome)).toEqual([
        'failed',
        'published',
      ]);
    });

    it('finds a part that landed though its answer timed out, and finishes the thread without reposting it', async () => {
      const tag = uniqueTag();
      const parts = [`Slow thread ${tag} 1/3`, `Slow thread ${tag} 2/3`, `Slow thread ${tag} 3/3`];
      const account = await newAccount(pipeline.workspace);
      // Part 2 lands on X, but its answer comes long after PLATFORM_TIMEOUT_MS (2 s): the worker gives up on it.
      pipeline.emulator.failNext({ endpoint: 'createTweet' });
      pipeline.emulator.failNext({ endpoint: 'createTweet', afterRecord: true, delayMs: 5_000 });
      const post = await createPost({ content: parts[0], thread: parts.slice(1), accountIds: [account.id] });

      const [target] = await waitUntilSettled(pipeline, post.id);
      const first = onlyTweetWith(parts[0]);
      const second = onlyTweetWith(parts[1]);
      const third = onlyTweetWith(parts[2]);
      expect(pipeline.emulator.tweets.filter((tweet) => tweet.token === account.accessToken)).toHaveLength(3);
      expect(first.replyToId).toBeUndefined();
      expect(second.replyToId).toBe(first.id);
      expect(third.replyToId).toBe(second.id);
      expect(target).toMatchObject({ status: 'published', attempts: 2, platform_post_id: first.id, last_error: null });
      // Three createTweet calls in all: part 2 was found on the timeline, not sent again.
      expect(createTweetsBy(account.accessToken)).toHaveLength(3);
      const lookups = pipeline.emulator.requests.filter(
        (request) => request.endpoint === 'userTweets' && request.token === account.accessToken,
      );
      expect(lookups).toHaveLength(1);

      const { targets } = await getPost(post.id);
      expect(targets[0].publishedParts).toEqual(
        [first, second, third].map((tweet) => ({ platformPostId: tweet.id, url: statusUrl(tweet.id) })),
      );
      const history = targets[0].history as { outcome: string; error: string | null }[];
      expect(history.map((attempt) => attempt.outcome)).toEqual(['unknown', 'published']);
      expect(history[0].error).toMatch(/^Thread part 2 of 3 .*timed out/);
    });
  });

  describe('per-account content', () => {
    it("publishes an account's own text instead of the post's content", async () => {
      const tag = uniqueTag();
      const shared = `Shared text ${tag}`;
      const own = `B text ${tag}`;
      const a = await newAccount(pipeline.workspace);
      const b = await newAccount(pipeline.workspace);
      const post = await createPost({
        content: shared,
        accountIds: [a.id, b.id],
        targets: [{ accountId: b.id, content: own }],
      });
      expect(post.content).toBe(shared);

      const targets = await waitUntilSettled(pipeline, post.id);
      expect(targets.map((target) => target.status)).toEqual(['published', 'published']);
      const sharedTweet = onlyTweetWith(shared);
      const ownTweet = onlyTweetWith(own);
      expect(sharedTweet.token).toBe(a.accessToken);
      expect(ownTweet.token).toBe(b.accessToken);

      const { targets: shown } = await getPost(post.id);
      const byAccount = (id: string) => shown.find((target: { accountId: string }) => target.accountId === id);
      expect(byAccount(a.id)).toMatchObject({ content: null, status: 'published', platformPostId: sharedTweet.id });
      expect(byAccount(b.id)).toMatchObject({ content: own, status: 'published', platformPostId: ownTweet.id });
    });

    it('refuses own text for an account the post does not go to, or too long for X, and saves nothing', async () => {
      const a = await newAccount(pipeline.workspace);
      const elsewhere = await newAccount(pipeline.workspace);
      const postsBefore = await countRows('posts');

      const stranger = await pipeline.workspace.api.post('/v1/posts', {
        content: `Shared ${uniqueTag()}`,
        accountIds: [a.id],
        targets: [{ accountId: elsewhere.id, content: 'Not for this post' }],
      });
      expect(stranger.status).toBe(400);
      expect(stranger.body.details).toEqual([
        { field: 'targets.0.accountId', message: `account ${elsewhere.id} is not one of accountIds` },
      ]);

      const tooLong = await pipeline.workspace.api.post('/v1/posts', {
        content: `Shared ${uniqueTag()}`,
        accountIds: [a.id],
        targets: [{ accountId: a.id, content: 'b'.repeat(281) }],
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'targets.0.content: is 281 weighted characters; X allows at most 280',
        details: [{ field: 'targets.0.content', message: 'is 281 weighted characters; X allows at most 280' }],
      });
      expect(await countRows('posts')).toBe(postsBefore);
    });
  });

  describe('validation', () => {
    it('names every violation of one request at once', async () => {
      const account = await newAccount(pipeline.workspace);
      const uploads = [];
      for (let i = 0; i < 5; i += 1) uploads.push(await upload(tinyJpeg(), `photo-${i}.jpg`));
      const postsBefore = await countRows('posts');

      const response = await pipeline.workspace.api.post('/v1/posts', {
        content: 'a'.repeat(300),
        accountIds: [account.id],
        media: uploads.map((item, index) =>
          index === 0 ? { uploadId: item.id, altText: 'd'.repeat(1001) } : { uploadId: item.id },
        ),
        thread: [`Fine part ${uniqueTag()}`, '', 'c'.repeat(281)],
      });

      expect(response.status).toBe(400);
      const details = [
        { field: 'content', message: 'is 300 weighted characters; X allows at most 280' },
        { field: 'media', message: '5 images attached; X allows at most 4 images' },
        { field: 'media.0', message: 'alt text is longer than 1000 characters for X' },
        { field: 'thread.1', message: 'X: must not be empty' },
        { field: 'thread.2', message: 'is 281 weighted characters; X allows at most 280' },
      ];
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: details.map(({ field, message }) => `${field}: ${message}`).join('; '),
        details,
      });
      expect(await countRows('posts')).toBe(postsBefore);
    });
  });

  describe('media', () => {
    it('downloads a remote image when the post is created, and publishes it from storage', async () => {
      const image = tinyJpeg();
      const server = await startImageServer(image);
      try {
        const url = `${server.url}/photo.jpg`;
        const text = `Remote image ${uniqueTag()}`;
        const account = await newAccount(pipeline.workspace);
        const post = await createPost({
          content: text,
          accountIds: [account.id],
          media: [{ url, altText: 'From afar' }],
        });
        expect(server.hits).toEqual(['/photo.jpg']);
        expect(post.media).toEqual([{ mediaId: expect.any(String), altText: 'From afar' }]);
        const [stored] = await pipeline.sql.query<{ source_url: string; size_bytes: number; mime_type: string }[]>(
          `SELECT source_url, size_bytes, mime_type FROM media WHERE id = $1`,
          [post.media[0].mediaId],
        );
        expect(stored).toEqual({ source_url: url, size_bytes: image.length, mime_type: 'image/jpeg' });

        const [target] = await waitUntilSettled(pipeline, post.id);
        const tweet = onlyTweetWith(text);
        expect(target).toMatchObject({ status: 'published', platform_post_id: tweet.id });
        expect(tweet.media).toHaveLength(1);
        expect(tweet.media![0]).toMatchObject({ mimeType: 'image/jpeg', altText: 'From afar' });
        expect(tweet.media![0].data.equals(image)).toBe(true);
        // Published from Herald's copy: the remote server was asked once, at creation.
        expect(server.hits).toEqual(['/photo.jpg']);
      } finally {
        await server.close();
      }
    });

    it('refuses a remote image on a private address without PRIVATE_NETWORK_ALLOWLIST, and saves nothing', async () => {
      const server = await startImageServer(tinyJpeg());
      // The same database and queues, without the allowlist: Herald's default.
      const guarded = await startBackend(testConfig({ ...pipeline.environment, PRIVATE_NETWORK_ALLOWLIST: '' }));
      try {
        const account = await newAccount(pipeline.workspace);
        const [postsBefore, mediaBefore] = [await countRows('posts'), await countRows('media')];
        const api = new ApiClient(guarded.url).as(pipeline.workspace.apiKey);

        const response = await api.post('/v1/posts', {
          content: `Private image ${uniqueTag()}`,
          accountIds: [account.id],
          media: [{ url: `${server.url}/photo.jpg` }],
        });

        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: `media.0.url: ${SSRF_REFUSAL}`,
          details: [{ field: 'media.0.url', message: SSRF_REFUSAL }],
        });
        expect(server.hits).toEqual([]);
        expect(await countRows('posts')).toBe(postsBefore);
        expect(await countRows('media')).toBe(mediaBefore);
      } finally {
        await guarded.close();
        await server.close();
      }
    });

    // The rules that need no image bytes come before any download: a refused post fetches and keeps nothing.
    it('refuses a post whose text is too long without downloading its remote image, and saves nothing', async () => {
      const server = await startImageServer(tinyJpeg());
      try {
        const account = await newAccount(pipeline.workspace);
        const [postsBefore, mediaBefore] = [await countRows('posts'), await countRows('media')];

        const response = await pipeline.workspace.api.post('/v1/posts', {
          content: 'e'.repeat(281),
          accountIds: [account.id],
          media: [{ url: `${server.url}/photo.jpg` }],
        });

        expect(response.status).toBe(400);
        expect(response.body.details).toEqual([
          { field: 'content', message: 'is 281 weighted characters; X allows at most 280' },
        ]);
        expect(server.hits).toEqual([]);
        expect(await countRows('posts')).toBe(postsBefore);
        expect(await countRows('media')).toBe(mediaBefore);
      } finally {
        await server.close();
      }
    });

    // A replay is answered before any download: it works even once the image host is gone.
    it('answers a replayed create with the original post, without fetching its remote image again', async () => {
      const server = await startImageServer(tinyJpeg());
      const account = await newAccount(pipeline.workspace);
      const body = {
        content: `Replayed ${uniqueTag()}`,
        accountIds: [account.id],
        media: [{ url: `${server.url}/photo.jpg` }],
        publishAt: secondsFromNow(3600).toISOString(),
      };
      const key = { 'Idempotency-Key': `rich-posts-${uniqueTag()}` };
      const postsBefore = await countRows('posts');
      try {
        const created = await pipeline.workspace.api.post('/v1/posts', body, key);
        expect(created.status).toBe(201);
        const mediaAfterCreate = await countRows('media');

        // The client lost the first answer and sends the same request again.
        const replayed = await pipeline.workspace.api.post('/v1/posts', body, key);
        expect(replayed.status).toBe(201);
        expect(replayed.body).toEqual(created.body);
        expect(server.hits).toEqual(['/photo.jpg']);
        expect(await countRows('media')).toBe(mediaAfterCreate);

        // Later still, the image host is gone: the post exists all the same, and the replay says so.
        await server.close();
        const afterOutage = await pipeline.workspace.api.post('/v1/posts', body, key);
        expect(afterOutage.status).toBe(201);
        expect(afterOutage.body).toEqual(created.body);
        expect(await countRows('posts')).toBe(postsBefore + 1);
      } finally {
        await server.close();
      }
    });

    it('fails a post whose image vanished from media storage before anything is sent', async () => {
      const text = `Image gone ${uniqueTag()}`;
      const account = await newAccount(pipeline.workspace);
      const uploaded = await upload(tinyJpeg());
      const post = await createPost({
        content: text,
        accountIds: [account.id],
        publishAt: secondsFromNow(2).toISOString(),
        media: [{ uploadId: uploaded.id }],
      });
      await rm(join(mediaDir, uploaded.id.slice(0, 2)), { recursive: true, force: true });

      const [target] = await waitUntilSettled(pipeline, post.id);
      expect(target.status).toBe('failed');
      expect(target.last_error).toMatch(
        /^An image of the post is missing from media storage .*; nothing was published$/,
      );
      expect(pipeline.emulator.tweets.find((tweet) => tweet.text === text)).toBeUndefined();
      expect(pipeline.emulator.requests.filter((request) => request.token === account.accessToken)).toHaveLength(1);
    });

    it('uploads the image with its alt text to X along with the post', async () => {
      const image = tinyJpeg();
      const text = `With alt text ${uniqueTag()}`;
      const account = await newAccount(pipeline.workspace);
      const uploaded = await upload(image);
      expect(uploaded.mimeType).toBe('image/jpeg');

      const post = await createPost({
        content: text,
        accountIds: [account.id],
        media: [{ uploadId: uploaded.id, altText: 'A single grey pixel' }],
      });
      expect(post.media).toEqual([{ mediaId: uploaded.id, altText: 'A single grey pixel' }]);

      const [target] = await waitUntilSettled(pipeline, post.id);
      const tweet = onlyTweetWith(text);
      expect(target).toMatchObject({ status: 'published', attempts: 1, platform_post_id: tweet.id });
      expect(tweet.media).toHaveLength(1);
      expect(tweet.media![0]).toMatchObject({ mimeType: 'image/jpeg', altText: 'A single grey pixel' });
      expect(tweet.media![0].data.equals(image)).toBe(true);
      const mediaCalls = pipeline.emulator.requests
        .filter((request) => request.token === account.accessToken && request.endpoint?.startsWith('media'))
        .map((request) => [request.endpoint, request.status]);
      expect(mediaCalls).toEqual([
        ['mediaInitialize', 200],
        ['mediaAppend', 200],
        ['mediaFinalize', 200],
        ['mediaMetadata', 200],
      ]);
    });
  });
});
