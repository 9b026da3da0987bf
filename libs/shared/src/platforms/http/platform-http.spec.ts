import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { guardedAgents, trustedAgents } from '../../net/outbound-agents.js';
import {
  classifyHttpError,
  createPlatformHttp,
  retryAfterFromHeaders,
  type HttpErrorDialect,
} from './platform-http.js';

const dialect: HttpErrorDialect = {
  platform: 'Example',
  describe: (data) => (data as { error?: string } | undefined)?.error,
  isDuplicate: (status, detail) => status === 422 && /duplicate/i.test(detail ?? ''),
};

/** A real server answering `/status/<code>` with that status, and `/slow` after a while. */
function startServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2_000);
    if (req.url === '/internal') return void res.writeHead(400, { 'content-type': 'text/plain' }).end('db-admin page');
    const status = Number(new URL(req.url ?? '/', 'http://server').pathname.split('/')[2] ?? 200);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 429) headers['retry-after'] = '30';
    const body = status === 422 ? 'Duplicate post' : status === 401 ? 'The access token is invalid' : 'nope';
    res.writeHead(status, headers).end(JSON.stringify({ error: body }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('classifyHttpError over real HTTP calls', () => {
  let server: http.Server;
  let base: string;
  const failureOf = async (path: string, agents = trustedAgents()) => {
    const client = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents });
    const error = await client.get(path).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    return classifyHttpError(error, dialect, 1_000_000);
  };

  beforeAll(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('treats 429 as a rate limit with the time the platform gave', async () => {
    expect(await failureOf('/status/429')).toMatchObject({
      kind: 'retryable',
      rateLimited: true,
      retryAfterMs: 30_000,
      statusCode: 429,
    });
  });

  it('treats 5xx and timeouts as unknown outcomes', async () => {
    expect(await failureOf('/status/503')).toMatchObject({ kind: 'unknown', statusCode: 503 });
    expect(await failureOf('/slow')).toMatchObject({ kind: 'unknown', message: expect.stringMatching(/timed out/) });
  });

  it('treats 401 as rejected credentials, quoting the platform', async () => {
    expect(await failureOf('/status/401')).toEqual({
      kind: 'permanent',
      credentialsRejected: true,
      statusCode: 401,
      message: 'Example rejected the credentials (401): The access token is invalid',
    });
  });

  it('flags duplicates through the dialect', async () => {
    expect(await failureOf('/status/422')).toMatchObject({ kind: 'permanent', duplicate: true });
  });

  it('treats a refused connection as retryable: nothing was sent', async () => {
    const client = createPlatformHttp({ baseURL: 'http://127.0.0.1:9', timeoutMs: 500, agents: trustedAgents() });
    const error = await client.get('/').catch((caught: unknown) => caught);
    expect(classifyHttpError(error, dialect)).toMatchObject({ kind: 'retryable' });
  });

  it('refuses loopback addresses through guarded agents unless allowed (SSRF), without naming the address', async () => {
    const client = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: guardedAgents([]) });
    const error = await client.get('/status/200').catch((caught: unknown) => caught);
    expect(inspect(error)).not.toContain('127.0.0.1');
    expect(classifyHttpError(error, dialect)).toEqual({
      kind: 'permanent',
      message: 'Example: address not allowed (a private or reserved network address; SSRF protection)',
    });
    const allowed = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: guardedAgents(['127.0.0.1']) });
    expect((await allowed.get('/status/200')).status).toBe(200);
  });

  it('quotes no plain-text body from a host a user chose (it may be an internal service)', async () => {
    expect((await failureOf('/internal')).message).toContain('db-admin page');
    const client = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: guardedAgents(['127.0.0.1']) });
    const error = await client.get('/internal').catch((caught: unknown) => caught);
    expect(classifyHttpError(error, { ...dialect, hostChosenByUser: true })).toEqual({
      kind: 'permanent',
      statusCode: 400,
      message: 'Example rejected the request (400)',
    });
  });

  it('keeps headers, query secrets and request bodies out of the errors it throws', async () => {
    const client = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: trustedAgents() });
    const error = await client
      .post(
        '/status/400?access_token=SECRET-1&client_secret=SECRET-2&limit=5',
        { client_secret: 'SECRET-3' },
        { headers: { Authorization: 'Bearer SECRET-4' }, params: { fb_exchange_token: 'SECRET-5', page: 2 } },
      )
      .catch((caught: unknown) => caught);
    const serialised = [inspect(error, { depth: 20 }), JSON.stringify(error)].join('\n');
    expect(serialised).not.toMatch(/SECRET/);
    expect(serialised).toContain('limit=5');
    expect(classifyHttpError(error, dialect)).toMatchObject({ kind: 'permanent', statusCode: 400 });
  });
});

describe('guarded clients and proxy variables', () => {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A proxy nobody listens on: a client that used it could not reach anything.
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    process.env.NO_PROXY = '';
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('connect to the target itself, so the guard checks the target and not a proxy', async () => {
    const trusted = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: trustedAgents() });
    await expect(trusted.get('/status/200')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const allowed = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: guardedAgents(['127.0.0.1']) });
    expect((await allowed.get('/status/200')).status).toBe(200);
    const guarded = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: guardedAgents([]) });
    await expect(guarded.get('/status/200')).rejects.toThrow('address not allowed');
  });
});

describe('retryAfterFromHeaders', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('reads every header platforms use', () => {
    expect(retryAfterFromHeaders({ 'retry-after': '12' }, now)).toBe(12_000);
    expect(retryAfterFromHeaders({ 'retry-after': 'Tue, 01 Jan 2030 00:01:00 GMT' }, now)).toBe(60_000);
    expect(retryAfterFromHeaders({ 'x-ratelimit-reset-after': '1.5' }, now)).toBe(1_500);
    expect(retryAfterFromHeaders({ 'x-ratelimit-reset': '2030-01-01T00:00:30.000Z' }, now)).toBe(30_000);
    expect(retryAfterFromHeaders({ 'ratelimit-reset': String(now / 1000 + 90) }, now)).toBe(90_000);
    expect(retryAfterFromHeaders({}, now)).toBeUndefined();
  });
});
