import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newAccount, type TestWorkspace } from '../support/factories.js';
import { pngImage } from '../support/images.js';
import { startPipeline, type Pipeline } from '../support/pipeline.js';
import { send } from '../support/raw-http.js';
import { storageSnapshots, type StorageSnapshot } from '../support/storage-snapshot.js';
import { TEST_ADMIN_TOKEN } from '../support/test-environment.js';

const NUL = '\u0000';
const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** `[[[…]]]` nested `depth` levels, as raw JSON text. */
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('hostile input is refused with a 400 or 413 that names the field, and writes nothing', () => {
  let mediaDir: string;
  let pipeline: Pipeline;
  let acme: TestWorkspace;
  let account: { id: string };
  let snapshot: () => Promise<StorageSnapshot>;

  /** Runs `request`, and requires that no table and no media file changed. */
  async function writesNothing<T>(request: () => Promise<T>): Promise<T> {
    const before = await snapshot();
    const result = await request();
    expect(await snapshot()).toEqual(before);
    return result;
  }

  const validPost = () => ({ content: 'Hello', accountIds: [account.id], publishAt: inOneHour() });

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'herald-hostile-input-'));
    pipeline = await startPipeline({ worker: false, scheduler: false, environment: { MEDIA_STORAGE_DIR: mediaDir } });
    acme = pipeline.workspace;
    account = await newAccount(acme);
    snapshot = await storageSnapshots(pipeline.sql, mediaDir);
  });

  afterAll(async () => {
    await pipeline?.stop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  describe('NUL characters, which PostgreSQL cannot store in text', () => {
    it.each([
      ['content', () => ({ ...validPost(), content: `Hello${NUL}` })],
      ['thread.1', () => ({ ...validPost(), thread: ['fine', `bad${NUL}`] })],
      ['targets.0.content', () => ({ ...validPost(), targets: [{ accountId: account.id, content: `x${NUL}y` }] })],
      ['media.0.altText', () => ({ ...validPost(), media: [{ url: 'https://example.com/a.png', altText: NUL }] })],
    ])('in a post: 400 naming %s', async (field, post) => {
      const response = await writesNothing(() => acme.api.post('/v1/posts', post()));
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field, message: 'must not contain NUL characters' }]);
    });

    it('in a field name: 400 naming it', async () => {
      const response = await writesNothing(() => acme.api.post('/v1/posts', { ...validPost(), [`con${NUL}`]: 'x' }));
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        { field: `con${NUL}`, message: 'field names must not contain NUL characters' },
      ]);
    });

    it('in an account name, or a workspace name: 400 naming name', async () => {
      const accountResponse = await writesNothing(() =>
        acme.api.post('/v1/accounts', { platform: 'x', name: `@bad${NUL}`, credentials: { accessToken: 't' } }),
      );
      const workspaceResponse = await writesNothing(() =>
        pipeline.api.as(TEST_ADMIN_TOKEN).post('/v1/workspaces', { name: `Globex${NUL}` }),
      );
      for (const response of [accountResponse, workspaceResponse]) {
        expect(response.status).toBe(400);
        expect(response.body.details).toEqual([{ field: 'name', message: 'must not contain NUL characters' }]);
      }
    });

    it('in a query string: 400 naming the parameter', async () => {
      const response = await acme.api.get('/v1/posts?status=queued%00');
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'status', message: 'must not contain NUL characters' }]);
    });
  });

  describe('deep or malformed JSON', () => {
    it('refuses a body nested deeper than 32 levels with a 400, before validating it', async () => {
      const deep = `{"content":"x","accountIds":["${account.id}"],"thread":${nestedArrays(200_000)}}`;
      const response = await writesNothing(() => acme.api.post('/v1/posts', deep));
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        { field: `thread${'.0'.repeat(31)}`, message: 'is nested deeper than 32 levels' },
      ]);
    });

    it('still takes a body at the depth limit to validation, which words its own problem', async () => {
      const response = await acme.api.post('/v1/posts', `{"content":"x","accountIds":${nestedArrays(31)}}`);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'accountIds' })]));
    });

    it('refuses a body over 1 MB with a 413 naming body, like every other refusal', async () => {
      const huge = JSON.stringify({ ...validPost(), content: 'x'.repeat(1024 * 1024) });
      const response = await writesNothing(() => acme.api.post('/v1/posts', huge));
      expect(response.status).toBe(413);
      expect(response.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'body: is larger than the 1 MB a request body may hold',
        details: [{ field: 'body', message: 'is larger than the 1 MB a request body may hold' }],
      });
    });

    it('answers malformed JSON with a 400 naming body', async () => {
      const response = await writesNothing(() => acme.api.post('/v1/posts', '{"content": "x",'));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.details).toEqual([{ field: 'body', message: expect.stringMatching(/^is not valid JSON/) }]);
    });
  });

  describe('page cursors', () => {
    it.each([
      ['whose id is 36 dashes', Buffer.from(JSON.stringify([new Date().toISOString(), '-'.repeat(36)]))],
      ['that is not JSON', Buffer.from('not json')],
      ['whose date is not a date', Buffer.from(JSON.stringify(['yesterday', '6f1c2b36-95b4-4c36-9c8b-0c3f3f0d7a11']))],
    ])('refuses a cursor %s with a 400 naming cursor', async (_, cursor) => {
      const response = await acme.api.get(`/v1/posts?cursor=${cursor.toString('base64url')}`);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
    });
  });

  describe('multipart uploads', () => {
    async function upload(form: FormData | { body: string; contentType: string }) {
      const response = await fetch(`${pipeline.backend.url}/v1/media`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${acme.apiKey}`,
          ...(form instanceof FormData ? {} : { 'content-type': form.contentType }),
        },
        body: form instanceof FormData ? form : form.body,
      });
      return { status: response.status, body: (await response.json()) as any };
    }
    const withImage = () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(pngImage(2, 2))], { type: 'image/png' }), 'a.png');
      return form;
    };

    it('refuses a text field larger than 1 KB with a 413 naming it', async () => {
      const form = new FormData();
      form.append('note', 'x'.repeat(1024 * 1024));
      form.append('file', new Blob([new Uint8Array(pngImage(2, 2))], { type: 'image/png' }), 'a.png');
      const response = await writesNothing(() => upload(form));
      expect(response.status).toBe(413);
      expect(response.body.message).toMatch(/^note: /);
      expect(response.body.details).toEqual([
        { field: 'note', message: 'text fields of an upload may hold at most 1024 bytes' },
      ]);
    });

    it('refuses more than 4 text fields with a 413', async () => {
      const form = withImage();
      for (let i = 0; i < 30; i++) form.append(`field${i}`, 'x');
      const response = await writesNothing(() => upload(form));
      expect(response.status).toBe(413);
      expect(response.body.details).toEqual([
        { field: 'body', message: 'an upload is one file and at most 4 small text fields' },
      ]);
    });

    it('still takes an image with a few small text fields', async () => {
      const form = withImage();
      form.append('note', 'a caption');
      expect((await upload(form)).status).toBe(201);
    });

    it('refuses a body that is not well-formed multipart with a 400 naming body', async () => {
      const response = await writesNothing(() =>
        upload({
          contentType: 'multipart/form-data; boundary=XYZ',
          body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nunterminated',
        }),
      );
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'body', message: 'is not well-formed multipart/form-data' }]);
    });
  });
  describe('requests that fail before reaching the API', () => {
    it('answers a body that does not match its Content-Encoding with a 400 naming body', async () => {
      const response = await writesNothing(() =>
        send(pipeline.backend.url, {
          method: 'POST',
          path: '/v1/posts',
          headers: {
            authorization: `Bearer ${acme.apiKey}`,
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          },
          body: JSON.stringify(validPost()),
        }),
      );
      expect(response).toEqual({
        status: 400,
        body: {
          statusCode: 400,
          error: 'Bad Request',
          message: 'The body could not be decompressed',
          details: [{ field: 'body', message: 'does not match its Content-Encoding' }],
        },
      });
    });

    it('answers headers larger than Node accepts with a 431 in the API error shape', async () => {
      const response = await send(pipeline.backend.url, {
        method: 'GET',
        path: `/v1/posts?cursor=${'x'.repeat(20_000)}`,
        headers: { authorization: `Bearer ${acme.apiKey}` },
      });
      expect(response).toEqual({
        status: 431,
        body: {
          statusCode: 431,
          error: 'Request Header Fields Too Large',
          message: 'The request line and headers are larger than the server accepts',
        },
      });
    });

    it('answers a request that is not HTTP with a 400 in the API error shape', async () => {
      const { port } = new URL(pipeline.backend.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'The request is not well-formed HTTP',
      });
    });
  });
});
