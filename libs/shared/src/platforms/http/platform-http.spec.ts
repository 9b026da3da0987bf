import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
    const status = Number(req.url?.split('/')[2] ?? 200);
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

  it('refuses loopback addresses through guarded agents unless allowed (SSRF)', async () => {
    expect(await failureOf('/status/200', guardedAgents([]))).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/not allowed/),
    });
    const allowed = createPlatformHttp({ baseURL: base, timeoutMs: 500, agents: guardedAgents(['127.0.0.1']) });
    expect((await allowed.get('/status/200')).status).toBe(200);
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
