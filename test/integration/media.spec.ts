import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startS3Emulator, type S3Emulator } from '../../emulators/s3/s3-emulator.js';
import { DomainError, MEDIA_LINK_LIFETIME_SECONDS, MediaLinkSigner, MediaService, mediaStorageKey } from '@app/shared';
import { pngImage, pngOfSize, SAMPLE_JPEG } from '../support/images.js';
import { ApiClient } from '../support/api-client.js';
import { newWorkspace, type TestWorkspace } from '../support/factories.js';
import type { INestApplicationContext } from '@nestjs/common';
import { startBackend, startWorker, type RunningBackend } from '../support/herald-apps.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const MAX_BYTES = 8 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `POST /v1/media` as a client sends it: multipart/form-data, the file under `field`. */
async function upload(
  backend: RunningBackend,
  apiKey: string | undefined,
  file?: { bytes: Buffer; name: string; type: string; field?: string },
) {
  const form = new FormData();
  if (file) form.append(file.field ?? 'file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  else form.append('note', 'no file here');
  const response = await fetch(`${backend.url}/v1/media`, {
    method: 'POST',
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    body: form,
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A link made for `publicBaseUrl`, pointed at the test's backend. */
const onBackend = (backend: RunningBackend, link: string) => {
  const url = new URL(link);
  return `${backend.url}${url.pathname}${url.search}`;
};

interface ImageServer {
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `/image.png`, and redirects `/to?url=` anywhere: a stand-in for a public image host. */
async function startImageServer(image: Buffer): Promise<ImageServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '/');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/image.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(image);
    if (url.pathname === '/to') return res.writeHead(302, { location: url.searchParams.get('url') ?? '/' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function validationDetails(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('VALIDATION_FAILED');
  return (error as DomainError).details;
}

describe('media', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let mediaDir: string;
  let backend: RunningBackend;
  // Hands a post's media to providers, reading across workspaces as the backend's API role cannot.
  let worker: INestApplicationContext;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let imageServer: ImageServer;
  const remoteImage = pngImage(5, 5, 'noise');

  const environment = (overrides: Record<string, string> = {}) =>
    testEnvironment(
      { databaseUrl: database.url, queuePrefix: redis.prefix },
      { MEDIA_STORAGE_DIR: mediaDir, MEDIA_MAX_BYTES: String(MAX_BYTES), ...overrides },
    );
  const mediaCount = async (workspace: TestWorkspace) =>
    Number(
      (
        await (
          await database.sql()
        ).query<{ count: string }[]>('SELECT count(*) FROM media WHERE workspace_id = $1', [workspace.id])
      )[0].count,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    mediaDir = await mkdtemp(join(tmpdir(), 'herald-media-test-'));
    imageServer = await startImageServer(remoteImage);
    const config = testConfig(environment({ PRIVATE_NETWORK_ALLOWLIST: '127.0.0.1' }));
    backend = await startBackend(config);
    worker = await startWorker(config);
    const api = new ApiClient(backend.url);
    acme = await newWorkspace(api, 'Acme');
    globex = await newWorkspace(api, 'Globex');
  });

  afterAll(async () => {
    await worker?.close();
    await backend?.close();
    await imageServer?.close();
    await redis?.close();
    await database?.drop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  describe('POST /v1/media', () => {
    it('stores a PNG and describes it from its bytes', async () => {
      const png = pngImage(3, 3, 'noise');
      const response = await upload(backend, acme.apiKey, { bytes: png, name: 'pixel.png', type: 'image/png' });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        mimeType: 'image/png',
        sizeBytes: png.length,
        sha256: sha256(png),
        createdAt: expect.any(String),
      });
      expect(await readFile(join(mediaDir, mediaStorageKey(response.body.id)))).toEqual(png);
      expect((await acme.api.get(`/v1/media/${response.body.id}`)).body).toEqual(response.body);
    });

    it('takes the type from the bytes, not from the name or the declared type', async () => {
      const response = await upload(backend, acme.apiKey, { bytes: SAMPLE_JPEG, name: 'photo.png', type: 'image/png' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ mimeType: 'image/jpeg', sizeBytes: SAMPLE_JPEG.length });
    });

    it('refuses a file that is not an image, naming what it is', async () => {
      const before = await mediaCount(acme);
      const response = await upload(backend, acme.apiKey, {
        bytes: Buffer.from('I am plain text pretending to be a PNG\n'),
        name: 'fake.png',
        type: 'image/png',
      });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'file: is text/plain, not an image (accepted: image/jpeg, image/png, image/gif, image/webp)',
        details: [
          {
            field: 'file',
            message: 'is text/plain, not an image (accepted: image/jpeg, image/png, image/gif, image/webp)',
          },
        ],
      });
      expect(await mediaCount(acme)).toBe(before);
    });

    it('accepts a file of exactly MEDIA_MAX_BYTES and refuses one byte more with 413', async () => {
      const fits = await upload(backend, acme.apiKey, {
        bytes: pngOfSize(MAX_BYTES),
        name: 'a.png',
        type: 'image/png',
      });
      expect(fits.status).toBe(201);
      expect(fits.body.sizeBytes).toBe(MAX_BYTES);

      const tooBig = await upload(backend, acme.apiKey, {
        bytes: pngOfSize(MAX_BYTES + 1),
        name: 'b.png',
        type: 'image/png',
      });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'file: is larger than the 8 KB Herald accepts (MEDIA_MAX_BYTES)',
        details: [{ field: 'file', message: 'is larger than the 8 KB Herald accepts (MEDIA_MAX_BYTES)' }],
      });
    });

    it('asks for the file when there is none, or when it is in another field', async () => {
      const none = await upload(backend, acme.apiKey);
      expect(none.status).toBe(400);
      expect(none.body.details).toEqual([
        { field: 'file', message: 'is required: send the image as multipart/form-data, in the field "file"' },
      ]);

      const json = await acme.api.post('/v1/media', { url: 'https://example.com/a.png' });
      expect(json.status).toBe(400);
      expect(json.body.details[0].field).toBe('file');

      const elsewhere = await upload(backend, acme.apiKey, {
        bytes: pngImage(),
        name: 'a.png',
        type: 'image/png',
        field: 'image',
      });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.details).toEqual([
        { field: 'image', message: 'unexpected: send one image, in the multipart field "file"' },
      ]);
    });

    it('requires an API key', async () => {
      const response = await upload(backend, undefined, { bytes: pngImage(), name: 'a.png', type: 'image/png' });
      expect(response.status).toBe(401);
    });
  });

  describe('GET /v1/media/:id', () => {
    it('shows media only to its own workspace', async () => {
      const { body } = await upload(backend, acme.apiKey, { bytes: pngImage(), name: 'a.png', type: 'image/png' });
      expect((await acme.api.get(`/v1/media/${body.id}`)).status).toBe(200);
      const fromGlobex = await globex.api.get(`/v1/media/${body.id}`);
      expect(fromGlobex.status).toBe(404);
      expect(fromGlobex.body.message).toBe('Media not found');
      expect((await acme.api.get('/v1/media/not-a-uuid')).status).toBe(404);
    });
  });

  describe('GET /v1/media/:id/content (the links platforms fetch)', () => {
    let media: { id: string };
    let png: Buffer;
    let link: string;

    beforeAll(async () => {
      png = pngImage(6, 6, 'noise');
      media = (await upload(backend, acme.apiKey, { bytes: png, name: 'a.png', type: 'image/png' })).body;
      const [attachment] = await worker.get(MediaService).attachmentsFor([{ mediaId: media.id, altText: 'A cat' }]);
      expect(attachment).toMatchObject({
        mediaId: media.id,
        mimeType: 'image/png',
        sizeBytes: png.length,
        altText: 'A cat',
      });
      expect(await attachment.read()).toEqual(png);
      link = await attachment.publicUrl();
    });

    it('serves the bytes without an API key, with their stored type', async () => {
      expect(link).toMatch(/^http:\/\/localhost:3000\/v1\/media\/[0-9a-f-]{36}\/content\?expires=\d+&signature=/);
      const response = await fetch(onBackend(backend, link));

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('content-length')).toBe(String(png.length));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(png);

      const head = await fetch(onBackend(backend, link), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('image/png');
      expect(head.headers.get('content-length')).toBe(String(png.length));
    });

    it('answers 403 to a tampered, borrowed, unsigned or expired link', async () => {
      const url = new URL(onBackend(backend, link));
      const signature = url.searchParams.get('signature')!;
      const variants = [
        url.href.replace(`signature=${signature}`, `signature=${signature.slice(1)}A`),
        url.href.replace(/expires=(\d+)/, (_, expires: string) => `expires=${Number(expires) + 60}`),
        url.href.replace(
          media.id,
          (await upload(backend, acme.apiKey, { bytes: pngImage(), name: 'b', type: 'x' })).body.id,
        ),
        `${backend.url}/v1/media/${media.id}/content`,
        onBackend(
          backend,
          backend.app.get(MediaLinkSigner).link(media.id, Date.now() - (MEDIA_LINK_LIFETIME_SECONDS + 1) * 1000),
        ),
      ];
      for (const variant of variants) {
        const response = await fetch(variant);
        expect(response.status).toBe(403);
        expect(await response.json()).toEqual({
          statusCode: 403,
          error: 'Forbidden',
          message: 'This media link is invalid or has expired',
        });
      }
    });
  });

  describe('media of a post (resolveForPost)', () => {
    it('downloads a URL now and stores its bytes, with where they came from', async () => {
      const url = `${imageServer.url}/image.png`;
      const [resolved] = await backend.app.get(MediaService).resolveForPost(acme.id, [{ url, altText: 'Noise' }]);

      expect(resolved).toEqual({
        mediaId: expect.any(String),
        mimeType: 'image/png',
        sizeBytes: remoteImage.length,
        altText: 'Noise',
      });
      expect(await readFile(join(mediaDir, mediaStorageKey(resolved.mediaId)))).toEqual(remoteImage);
      const [row] = await (
        await database.sql()
      ).query<{ source_url: string; sha256: string }[]>('SELECT source_url, sha256 FROM media WHERE id = $1', [
        resolved.mediaId,
      ]);
      expect(row).toEqual({ source_url: url, sha256: sha256(remoteImage) });
    });

    it('keeps uploads and URLs in the order given', async () => {
      const upload1 = (await upload(backend, acme.apiKey, { bytes: SAMPLE_JPEG, name: 'a.jpg', type: 'image/jpeg' }))
        .body;
      const resolved = await backend.app
        .get(MediaService)
        .resolveForPost(acme.id, [{ url: `${imageServer.url}/image.png` }, { uploadId: upload1.id, altText: null }]);
      expect(resolved.map((media) => media.mimeType)).toEqual(['image/png', 'image/jpeg']);
      expect(resolved[1]).toEqual({
        mediaId: upload1.id,
        mimeType: 'image/jpeg',
        sizeBytes: SAMPLE_JPEG.length,
        altText: null,
      });
    });

    it('reports every bad upload and input at once, before downloading anything, and stores nothing', async () => {
      const globexUpload = (
        await upload(backend, globex.apiKey, { bytes: pngImage(), name: 'a.png', type: 'image/png' })
      ).body;
      const before = await mediaCount(acme);
      const requestsBefore = imageServer.requests.length;

      const details = await validationDetails(
        backend.app
          .get(MediaService)
          .resolveForPost(acme.id, [
            { url: `${imageServer.url}/image.png` },
            { uploadId: globexUpload.id },
            { url: `${imageServer.url}/image.png`, uploadId: globexUpload.id },
          ]),
      );

      expect(details).toEqual([
        { field: 'media.1.uploadId', message: 'is not media of this workspace (upload files with POST /v1/media)' },
        { field: 'media.2', message: 'give either url or uploadId' },
      ]);
      expect(imageServer.requests.length).toBe(requestsBefore);
      expect(await mediaCount(acme)).toBe(before);
    });

    it.each([
      ['a metadata address', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'resolves to'],
      // 127.0.0.2 is loopback like the allowed 127.0.0.1, but not on the allowlist.
      ['a redirect to a private address', '/to?url=http%3A%2F%2F127.0.0.2%2Fimage.png', 'redirects to'],
    ])('names the download that failed (%s) and stores none of the others', async (_, url, verb) => {
      const before = await mediaCount(acme);
      const details = await validationDetails(
        backend.app
          .get(MediaService)
          .resolveForPost(acme.id, [
            { url: `${imageServer.url}/image.png` },
            { url: url.startsWith('/') ? `${imageServer.url}${url}` : url },
          ]),
      );
      expect(details).toEqual([
        {
          field: 'media.1.url',
          message: `${verb} a private or reserved network address, which Herald does not fetch (SSRF protection)`,
        },
      ]);
      expect(await mediaCount(acme)).toBe(before);
    });

    it('refuses loopback URLs when PRIVATE_NETWORK_ALLOWLIST does not allow them', async () => {
      const guarded = await startBackend(testConfig(environment()));
      try {
        const details = await validationDetails(
          guarded.app.get(MediaService).resolveForPost(acme.id, [{ url: `${imageServer.url}/image.png` }]),
        );
        expect(details).toEqual([
          {
            field: 'media.0.url',
            message: 'resolves to a private or reserved network address, which Herald does not fetch (SSRF protection)',
          },
        ]);
      } finally {
        await guarded.close();
      }
    });
  });

  describe('with MEDIA_STORAGE=s3', () => {
    const bucket = 'herald-media';
    let s3: S3Emulator;
    let s3Backend: RunningBackend;
    let s3Worker: INestApplicationContext;

    beforeAll(async () => {
      s3 = await startS3Emulator({ buckets: [bucket] });
      const config = testConfig(
        environment({
          MEDIA_STORAGE: 's3',
          S3_ENDPOINT: s3.url,
          S3_BUCKET: bucket,
          S3_REGION: s3.region,
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: 'emulator-secret',
          S3_FORCE_PATH_STYLE: 'true',
        }),
      );
      s3Backend = await startBackend(config);
      s3Worker = await startWorker(config);
    });

    afterAll(async () => {
      await s3Worker?.close();
      await s3Backend?.close();
      await s3?.close();
    });

    it('stores uploads in the bucket and hands platforms presigned links', async () => {
      const png = pngImage(4, 4, 'noise');
      const { status, body } = await upload(s3Backend, acme.apiKey, { bytes: png, name: 'a.png', type: 'image/png' });
      expect(status).toBe(201);
      expect(s3.object(bucket, mediaStorageKey(body.id))).toMatchObject({ data: png, contentType: 'image/png' });

      const [attachment] = await s3Worker.get(MediaService).attachmentsFor([{ mediaId: body.id, altText: null }]);
      expect(await attachment.read()).toEqual(png);
      const link = await attachment.publicUrl();
      expect(link.startsWith(`${s3.url}/${bucket}/${mediaStorageKey(body.id)}?`)).toBe(true);
      const fetched = await fetch(link);
      expect(fetched.status).toBe(200);
      expect(Buffer.from(await fetched.arrayBuffer())).toEqual(png);

      const signed = s3Backend.app.get(MediaLinkSigner).link(body.id);
      const served = await fetch(onBackend(s3Backend, signed));
      expect(Buffer.from(await served.arrayBuffer())).toEqual(png);
    });
  });
});
