import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PLATFORM_NAMES } from '@app/shared';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newAccount, newPost, newWorkspace, type TestWorkspace } from '../support/factories.js';
import {
  errorShapeProblems,
  invalidRequest,
  plausibleRequest,
  type FuzzRequest,
  type FuzzWorld,
} from '../support/hostile-requests.js';
import { startImageServer, type ImageServer } from '../support/image-server.js';
import { startMailServer, type MailServer } from '../support/mail-server.js';
import { pngImage, tinyJpeg } from '../support/images.js';
import { startPipeline, type Pipeline } from '../support/pipeline.js';
import { closeConnections, send } from '../support/raw-http.js';
import { servedRoutes, type ServedRoute } from '../support/served-routes.js';
import { storageSnapshots, type StorageSnapshot } from '../support/storage-snapshot.js';
import { TEST_ADMIN_TOKEN } from '../support/test-environment.js';

/**
 * Random and malformed requests at every route the backend serves. FUZZ_SEED replays a run (the seed
 * is printed at the start); FUZZ_RUNS sets how many requests each property sends.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const CLOSED_PORT = 'http://127.0.0.1:9';

describe(`fuzzed requests at every route (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS})`, () => {
  let mediaDir: string;
  let imageServer: ImageServer;
  let mail: MailServer;
  let pipeline: Pipeline;
  let world: FuzzWorld;
  let snapshot: () => Promise<StorageSnapshot>;

  async function upload(workspace: TestWorkspace): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pngImage(2, 2))], { type: 'image/png' }), 'a.png');
    const response = await fetch(`${pipeline.backend.url}/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workspace.apiKey}` },
      body: form,
    });
    return ((await response.json()) as { id: string }).id;
  }

  /** A workspace's accounts, a post and an upload, whose ids the requests use. */
  async function resourcesOf(workspace: TestWorkspace): Promise<Resources> {
    const [account, otherAccount] = [await newAccount(workspace), await newAccount(workspace)];
    const post = await newPost(workspace, { accountIds: [account.id], publishAt: inOneDay() });
    await newPost(workspace, { accountIds: [otherAccount.id], publishAt: inOneDay() });
    const page = await workspace.api.get('/v1/posts?limit=1');
    return {
      account: account.id,
      otherAccount: otherAccount.id,
      post: post.id,
      media: await upload(workspace),
      cursor: page.body.nextCursor,
    };
  }

  beforeAll(async () => {
    process.stdout.write(`fuzzed-requests: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}\n`);
    mediaDir = await mkdtemp(join(tmpdir(), 'herald-fuzz-'));
    imageServer = await startImageServer(tinyJpeg());
    mail = await startMailServer();
    pipeline = await startPipeline({
      worker: false,
      scheduler: false,
      // Every OAuth app and single sign-on configured, so connect and sign-on routes run their checks
      // instead of answering 501, and every platform but X (the emulator) and the OpenID provider on a
      // closed port, so nothing leaves the machine.
      environment: {
        MEDIA_STORAGE_DIR: mediaDir,
        // Remote images come from the local image server: a refused post must not keep them.
        PRIVATE_NETWORK_ALLOWLIST: '127.0.0.1',
        // Invitations a request may send go to a real SMTP server, not to an unreachable one (503).
        SMTP_URL: mail.url,
        ...Object.fromEntries(
          ['X_CLIENT', 'LINKEDIN_CLIENT', 'FACEBOOK_APP', 'THREADS_APP'].flatMap((app) => [
            [`${app}_ID`, 'fuzz-client'],
            [`${app}_SECRET`, 'fuzz-secret'],
          ]),
        ),
        OIDC_ISSUER_URL: CLOSED_PORT,
        OIDC_CLIENT_ID: 'fuzz-client',
        OIDC_CLIENT_SECRET: 'fuzz-secret',
        ...Object.fromEntries(
          ['BLUESKY_SERVICE_URL', 'LINKEDIN_API_BASE_URL', 'FACEBOOK_API_BASE_URL', 'INSTAGRAM_API_BASE_URL']
            .concat(['THREADS_API_BASE_URL', 'TELEGRAM_API_BASE_URL', 'DISCORD_API_BASE_URL'])
            .map((name) => [name, CLOSED_PORT]),
        ),
      },
    });
    const other = await newWorkspace(pipeline.api, 'Globex');
    const own = await resourcesOf(pipeline.workspace);
    world = {
      routes: servedRoutes(pipeline.backend.app),
      adminToken: TEST_ADMIN_TOKEN,
      apiKeys: { own: pipeline.workspace.apiKey, other: other.apiKey },
      ids: { own: idsOf(own), other: idsOf(await resourcesOf(other)) },
      names: PLATFORM_NAMES,
      samples: samples(own, `${imageServer.url}/photo.jpg`),
      image: pngImage(2, 2),
    };
    // Every table, none excluded: no refused request may change any. (The OAuth callback spends its
    // state in oauth_state_uses even when the platform then refuses the code, but only for a state
    // Herald sealed, which no generated request holds.)
    snapshot = await storageSnapshots(pipeline.sql, mediaDir);
  });

  afterAll(async () => {
    closeConnections();
    await pipeline?.stop();
    await imageServer?.close();
    await mail?.close();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  /** The request and what came back, for the failure message (long bodies cut). */
  const described = (request: FuzzRequest, response: unknown) =>
    JSON.stringify({
      ...request,
      path: request.path.slice(0, 500),
      body: String(request.body ?? '').slice(0, 300),
      response,
    }).slice(0, 2000);

  /**
   * Sends the request and returns what is wrong with the answer: a 5xx (except `allow`), an error
   * body without the API's shape, a refusal that wrote something, or an invalid request let through.
   */
  async function problemsOf(request: FuzzRequest, allow: number[] = []): Promise<string[]> {
    const before = await snapshot();
    const response = await send(pipeline.backend.url, request);
    const problems: string[] = [];
    if (response.status >= 500 && !allow.includes(response.status)) problems.push(`answered ${response.status}`);
    if (response.status >= 400) {
      problems.push(...errorShapeProblems(response));
      const after = await snapshot();
      if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`a refusal wrote: ${changes(before, after)}`);
    } else if (request.defects.length > 0) {
      problems.push(`accepted (${response.status}) though ${request.defects.join(', ')}`);
    }
    return problems.map((problem) => `${problem}\n${described(request, response)}`);
  }

  it('reads every route from the router, with what each handler takes', () => {
    const summary = (route: ServedRoute) => `${route.method} ${route.path}`;
    expect(world.routes.map(summary)).toEqual(
      expect.arrayContaining([
        'POST /v1/workspaces',
        'POST /v1/posts',
        'PATCH /v1/posts/:id',
        'POST /v1/posts/:id/retry',
        'GET /v1/connect/:platform/callback',
        'POST /v1/media',
        'GET /v1/media/:id/content',
        'GET /health/ready',
      ]),
    );
    expect(world.routes.find((route) => summary(route) === 'POST /v1/posts')).toMatchObject({
      access: { kind: 'workspace', role: 'editor' },
      body: 'json',
      fields: { body: expect.arrayContaining(['content', 'accountIds', 'media']) },
    });
    expect(world.routes.find((route) => summary(route) === 'POST /v1/media')).toMatchObject({ body: 'upload' });
    expect(world.routes.find((route) => summary(route) === 'GET /v1/connect/:platform/callback')).toMatchObject({
      access: { kind: 'public' },
      guards: [],
      query: true,
    });
  });

  it('refuses every invalid request with a 4xx naming the problem, and writes nothing', async () => {
    expect(await fuzz(invalidRequest(world), (request) => problemsOf(request))).toBe('');
  }, 300_000);

  it('answers requests that may be valid without a 5xx, and a refusal among them writes nothing', async () => {
    // 503 is the documented answer when a platform cannot be reached to check an account's
    // credentials; every platform but X is on a closed port here.
    expect(await fuzz(plausibleRequest(world), (request) => problemsOf(request, [503]))).toBe('');
  }, 300_000);
});

/**
 * Runs the property for FUZZ_RUNS requests from FUZZ_SEED and returns '' or the first failure, cut
 * short (a request can hold megabytes), with what replays it.
 */
async function fuzz(requests: fc.Arbitrary<FuzzRequest>, problemsOf: (request: FuzzRequest) => Promise<string[]>) {
  const details = await fc.check(
    fc.asyncProperty(requests, async (request) => {
      const problems = await problemsOf(request);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  if (!details.failed) return '';
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `failed after ${details.numRuns} requests; replay with FUZZ_SEED=${details.seed}\n${error.slice(0, 3000)}`;
}

interface Resources {
  account: string;
  otherAccount: string;
  post: string;
  media: string;
  /** The second page of the workspace's posts. */
  cursor: string;
}

const idsOf = ({ account, otherAccount, post, media }: Resources) => [account, otherAccount, post, media];

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

/** Valid requests of the routes that take a body or a query, for the plausible requests to vary. */
function samples(own: Resources, imageUrl: string): FuzzWorld['samples'] {
  return {
    'POST /v1/workspaces': { body: { name: 'Fuzz' } },
    'POST /v1/accounts': { body: { platform: 'x', name: '@fuzz', credentials: { accessToken: 'fuzz-token' } } },
    'POST /v1/posts': {
      body: {
        content: 'Hello',
        publishAt: inOneDay(),
        maxLatenessSeconds: 3600,
        accountIds: [own.account, own.otherAccount],
        media: [{ uploadId: own.media, altText: 'a picture' }, { url: imageUrl }],
        thread: ['and more'],
        targets: [{ accountId: own.otherAccount, content: 'Hello there' }],
      },
    },
    'PATCH /v1/posts/:id': {
      params: { id: own.post },
      body: { content: 'Edited', publishAt: inOneDay(), maxLatenessSeconds: 600 },
    },
    'GET /v1/posts/:id': { params: { id: own.post } },
    'POST /v1/posts/:id/retry': { params: { id: own.post } },
    'GET /v1/accounts/:id': { params: { id: own.account } },
    'GET /v1/media/:id': { params: { id: own.media } },
    'GET /v1/connect/:platform': { params: { platform: 'x' } },
    'GET /v1/posts': { query: { status: 'scheduled', limit: '2', cursor: own.cursor } },
    'GET /v1/connect/:platform/callback': {
      params: { platform: 'x' },
      query: { code: 'fuzz-code', state: 'fuzz-state' },
    },
    'GET /v1/audit': {
      query: {
        action: 'account.*',
        actorType: 'api_key',
        subjectType: 'account',
        subjectId: own.account,
        from: '2026-01-01T00:00:00Z',
        to: inOneDay(),
        limit: '2',
      },
    },
  };
}

function changes(before: StorageSnapshot, after: StorageSnapshot): string {
  const tables = Object.keys(after.tables).filter(
    (name) => JSON.stringify(after.tables[name]) !== JSON.stringify(before.tables[name]),
  );
  const media = JSON.stringify(after.media) === JSON.stringify(before.media) ? [] : ['media files'];
  return [...tables, ...media].join(', ');
}
