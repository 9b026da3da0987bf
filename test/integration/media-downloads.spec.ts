import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AppConfig, LocalDiskMediaStorage, MediaStorage } from '@app/shared';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { eventually, newAccount, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { pngImage, pngOfSize } from '../support/images.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/** Bounded work before and during the downloads of a post's remote images (issue 9). */

const CONCURRENCY = 2;
const TOTAL_BYTES = 6 * 1024 * 1024;
/** Far more than socket buffers hold: the host can send it all only to a client that keeps reading. */
const ENDLESS_BYTES = 256 * 1024 * 1024;
const OVER_TOTAL = `takes the post's remote images past the 6 MB Herald downloads for one post (MEDIA_DOWNLOAD_TOTAL_BYTES)`;

interface HeldRequest {
  path: string;
  release(): void;
}

interface ImageHost {
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  /** Requests under way now, and the most there ever were at once. */
  open: number;
  maxOpen: number;
  /** `/held/*` requests waiting for `release()`, oldest first. */
  held: HeldRequest[];
  /** Paths whose client hung up before the answer was complete. */
  hungUp: string[];
  /** Bytes `/endless.png` sent before its client hung up. */
  endlessSent: number;
  close(): Promise<void>;
}

/**
 * A stand-in for image hosts on the internet, on 127.0.0.1: `/small/*` answers a small PNG at once,
 * `/held/*` only when the test releases it, `/sized/<bytes>.png` a PNG of that size, `/endless.png`
 * a PNG that never ends (as fast as the client reads), anything else 404.
 */
async function startImageHost(): Promise<ImageHost> {
  const small = pngImage(2, 2);
  const host: Omit<ImageHost, 'url' | 'close'> = {
    requests: [],
    open: 0,
    maxOpen: 0,
    held: [],
    hungUp: [],
    endlessSent: 0,
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    host.requests.push(path);
    host.open += 1;
    host.maxOpen = Math.max(host.maxOpen, host.open);
    let answered = false;
    const done = () => {
      if (answered) return;
      answered = true;
      host.open -= 1;
    };
    res.once('close', () => {
      if (!res.writableFinished) host.hungUp.push(path);
      done();
    });
    const sized = /^\/sized\/(\d+)\.png/.exec(path);
    if (path.startsWith('/small/')) return res.writeHead(200, { 'content-type': 'image/png' }).end(small);
    if (sized) return res.writeHead(200, { 'content-type': 'image/png' }).end(pngOfSize(Number(sized[1])));
    if (path.startsWith('/held/')) {
      // Counted as done once released: the client cannot start another download before it has this answer.
      return host.held.push({ path, release: () => (done(), res.writeHead(200).end(small)) });
    }
    if (path === '/endless.png') return streamEndlessly(res, small, (sent) => (host.endlessSent = sent));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(host, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** A PNG followed by padding, chunked (no Content-Length), written only as fast as the client reads. */
function streamEndlessly(res: ServerResponse, png: Buffer, record: (sent: number) => void): void {
  res.writeHead(200, { 'content-type': 'image/png' });
  let sent = 0;
  const pump = () => {
    while (!res.destroyed && sent < ENDLESS_BYTES) {
      const chunk = sent === 0 ? png : Buffer.alloc(64 * 1024);
      sent += chunk.length;
      record(sent);
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

describe('a post with remote images: rules first, then bounded downloads, and nothing stored when refused', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let emulator: XEmulator;
  let mediaDir: string;
  let backend: RunningBackend;
  let sql: DataSource;
  let host: ImageHost;
  let acme: TestWorkspace;
  /** An X account: at most 4 images of at most 5 MB, 280 weighted characters. */
  let account: { id: string };

  const storedFiles = async () =>
    (await readdir(mediaDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;
  const mediaRows = async () => Number((await sql.query<{ count: string }[]>('SELECT count(*) FROM media'))[0].count);
  const postRows = async () => Number((await sql.query<{ count: string }[]>('SELECT count(*) FROM posts'))[0].count);

  /** Runs `send` and requires that it stored no media (no row, no file) and no post. */
  async function storesNothing<T>(send: () => Promise<T>): Promise<T> {
    const before = [await mediaRows(), await storedFiles(), await postRows()];
    const result = await send();
    expect([await mediaRows(), await storedFiles(), await postRows()]).toEqual(before);
    return result;
  }

  const post = (media: { url?: string; uploadId?: string }[], content = 'Images') =>
    acme.api.post('/v1/posts', { content, accountIds: [account.id], media });

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    emulator = await startXEmulator();
    mediaDir = await mkdtemp(join(tmpdir(), 'herald-media-downloads-'));
    host = await startImageHost();
    backend = await startBackend(
      testConfig(
        testEnvironment(
          { databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url },
          {
            MEDIA_STORAGE_DIR: mediaDir,
            PRIVATE_NETWORK_ALLOWLIST: '127.0.0.1',
            MEDIA_DOWNLOAD_CONCURRENCY: String(CONCURRENCY),
            MEDIA_DOWNLOAD_TOTAL_BYTES: String(TOTAL_BYTES),
          },
        ),
      ),
    );
    sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    acme = await newWorkspace(new ApiClient(backend.url));
    account = await newAccount(acme);
  });

  afterAll(async () => {
    await sql?.destroy();
    await backend?.close();
    await host?.close();
    await emulator?.close();
    await redis?.close();
    await database?.drop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  describe('what the rules refuse without the bytes is refused before any download', () => {
    it('20 images for X, which allows 4: 400, and the image host sees no request', async () => {
      const before = host.requests.length;
      const urls = Array.from({ length: 20 }, (_, index) => ({ url: `${host.url}/small/${index}.png` }));

      const response = await storesNothing(() => post(urls));

      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        { field: 'media', message: '20 images attached; X allows at most 4 images' },
      ]);
      expect(host.requests.length).toBe(before);
    });

    it.each([
      ['text too long for X', () => post([{ url: `${host.url}/small/a.png` }], 'e'.repeat(281)), 'content'],
      [
        'an upload this workspace does not have',
        () => post([{ url: `${host.url}/small/b.png` }, { uploadId: '6f1c2b36-95b4-4c36-9c8b-0c3f3f0d7a11' }]),
        'media.1.uploadId',
      ],
      [
        'alt text too long for X',
        () =>
          acme.api.post('/v1/posts', {
            content: 'Alt',
            accountIds: [account.id],
            media: [{ url: `${host.url}/small/c.png`, altText: 'a'.repeat(1001) }],
          }),
        'media.0',
      ],
    ])('%s: 400 naming it, and no request', async (_, send, field) => {
      const before = host.requests.length;
      const response = await storesNothing(send);
      expect(response.status).toBe(400);
      expect(response.body.details.map((problem: { field: string }) => problem.field)).toEqual([field]);
      expect(host.requests.length).toBe(before);
    });
  });

  it(`downloads at most ${CONCURRENCY} images at once`, async () => {
    host.maxOpen = host.open;
    const urls = Array.from({ length: 4 }, (_, index) => ({ url: `${host.url}/held/${index}.png` }));
    const created = post(urls, 'Four held images');

    // Each time the host holds as many requests as may run at once (or all that are left), one is answered.
    for (let left = urls.length; left > 0; left -= 1) {
      const expected = Math.min(CONCURRENCY, left);
      await eventually(() => (host.held.length >= expected ? true : undefined), {
        what: `${expected} held requests`,
      });
      host.held.shift()!.release();
    }

    const response = await created;
    expect(response.status).toBe(201);
    expect(response.body.media).toHaveLength(4);
    expect(host.maxOpen).toBe(CONCURRENCY);
  });

  it('cuts off the download that takes the post past MEDIA_DOWNLOAD_TOTAL_BYTES at once: 413 naming it', async () => {
    const response = await storesNothing(() => post([{ url: `${host.url}/endless.png` }]));

    // Under the 20 MB one file may have (MEDIA_MAX_BYTES): the post's total is what stopped it.
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `media.0.url: ${OVER_TOTAL}`,
      details: [{ field: 'media.0.url', message: OVER_TOTAL }],
    });
    // The host saw the hang-up while it still had most of the file to send.
    await eventually(() => (host.hungUp.includes('/endless.png') ? true : undefined), { what: 'the hang-up' });
    expect(host.endlessSent).toBeLessThan(ENDLESS_BYTES);
  });

  it('counts the bytes of all the post’s images together: two of 4 MB pass 6 MB, 413, and neither is stored', async () => {
    const size = 4 * 1024 * 1024;
    const response = await storesNothing(() =>
      post([{ url: `${host.url}/sized/${size}.png` }, { url: `${host.url}/sized/${size}.png?second` }]),
    );

    expect(response.status).toBe(413);
    // Both download at once: whichever crosses the total first is the one named.
    expect(response.body.details).toEqual([
      { field: expect.stringMatching(/^media\.[01]\.url$/), message: OVER_TOTAL },
    ]);
  });

  it('one failing download aborts the one under way, starts no more, and stores nothing', async () => {
    const before = host.requests.length;
    const response = await storesNothing(() =>
      post([
        { url: `${host.url}/held/aborted.png` },
        { url: `${host.url}/missing.png` },
        { url: `${host.url}/small/never.png` },
      ]),
    );

    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      { field: 'media.1.url', message: 'could not download: the server answered 404 Not Found' },
    ]);
    await eventually(() => (host.hungUp.includes('/held/aborted.png') ? true : undefined), { what: 'the abort' });
    expect(host.requests.slice(before).sort()).toEqual(['/held/aborted.png', '/missing.png']);
    host.held.splice(0);
  });

  it('keeps the images of one post only when two requests with one Idempotency-Key race', async () => {
    const url = `${host.url}/held/raced.png`;
    const body = { content: 'Raced', accountIds: [account.id], media: [{ url }] };
    const key = { 'Idempotency-Key': 'media-downloads-race' };
    const mediaBefore = [await mediaRows(), await storedFiles()];

    // Both requests are past the replay check and downloading before either is answered.
    const requests = [acme.api.post('/v1/posts', body, key), acme.api.post('/v1/posts', body, key)];
    await eventually(() => (host.held.length >= 2 ? true : undefined), { what: 'both downloads' });
    host.held.splice(0).forEach((held) => held.release());
    const [first, second] = await Promise.all(requests);

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    // The request that lost the race stored its copy, then removed it when it found the post saved.
    expect([await mediaRows(), await storedFiles()]).toEqual([mediaBefore[0] + 1, mediaBefore[1] + 1]);
    const [row] = await sql.query<{ id: string }[]>('SELECT id FROM media WHERE source_url = $1', [url]);
    expect(first.body.media).toEqual([{ mediaId: row.id, altText: null }]);
  });

  it('removes the images it stored when storing a later one fails', async () => {
    /** Local disk whose second write fails, as a full disk or an S3 outage would. */
    class SecondWriteFails extends LocalDiskMediaStorage {
      private writes = 0;

      override put(key: string, bytes: Buffer): Promise<void> {
        this.writes += 1;
        return this.writes === 2 ? Promise.reject(new Error('disk full')) : super.put(key, bytes);
      }
    }
    const failing = await startBackend(backend.app.get(AppConfig), (builder) =>
      builder.overrideProvider(MediaStorage).useValue(new SecondWriteFails(mediaDir)),
    );
    try {
      const response = await storesNothing(() =>
        new ApiClient(failing.url).as(acme.apiKey).post('/v1/posts', {
          content: 'Disk full',
          accountIds: [account.id],
          media: [{ url: `${host.url}/small/first.png` }, { url: `${host.url}/small/second.png` }],
        }),
      );
      expect(response.status).toBe(500);
    } finally {
      await failing.close();
    }
  });

  it('a file a rule refuses once downloaded (over X’s 5 MB) leaves nothing stored, nor the others', async () => {
    const response = await storesNothing(() =>
      post([{ url: `${host.url}/small/kept.png` }, { url: `${host.url}/sized/${5 * 1024 * 1024 + 1}.png` }]),
    );

    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      { field: 'media.1', message: 'the file is 5242881 bytes; X allows 5242880' },
    ]);
  });
});
