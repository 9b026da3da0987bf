import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { auditPageQuery, generateApiKey, hashApiKey, type AuditPageQuery } from '@app/shared';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { newAccount, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment, xOAuthSettings } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Accounts connected, reconnected and removed are audited and reported; GET /v1/audit reads the log. */
describe('audit log', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let emulator: XEmulator;
  let backend: RunningBackend;
  let sql: DataSource;
  let acme: TestWorkspace;
  let other: TestWorkspace;
  let acmeKeyId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    emulator = await startXEmulator({ host: '127.0.0.1' });
    const port = await freePort();
    const config = testConfig(
      testEnvironment(
        { databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url },
        xOAuthSettings(emulator, port),
      ),
    );
    backend = await startBackend(config);
    sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    acme = await newWorkspace(new ApiClient(backend.url), 'Acme');
    other = await newWorkspace(new ApiClient(backend.url), 'Other');
    [{ id: acmeKeyId }] = await sql.query<{ id: string }[]>(`SELECT id FROM api_keys WHERE workspace_id = $1`, [
      acme.id,
    ]);
  });

  afterAll(async () => {
    await backend?.close();
    await sql?.destroy();
    await emulator?.close();
    await redis?.close();
    await database?.drop();
  });

  /** An API key of `workspace` with `role`, made as the keys API would store it. */
  async function keyWithRole(workspace: TestWorkspace, role: string): Promise<ApiClient> {
    const key = generateApiKey();
    await sql.query(`INSERT INTO api_keys (workspace_id, key_hash, name, role, prefix) VALUES ($1, $2, $3, $4, $5)`, [
      workspace.id,
      hashApiKey(key),
      `${role} key`,
      role,
      key.slice(0, 7),
    ]);
    return workspace.api.as(key);
  }

  /**
   * Connects X through OAuth (the emulator approves at once) and returns the callback's answer, and
   * the X session cookie of the browser that approved: sent again, the same X user approves.
   */
  async function connectThroughOAuth(
    workspace: TestWorkspace,
    xSession?: string,
  ): Promise<ApiResponse & { xSession: string }> {
    const start = await workspace.api.get('/v1/connect/x');
    expect(start.status).toBe(200);
    const approval = await fetch(start.body.authorizeUrl, {
      redirect: 'manual',
      headers: xSession ? { cookie: xSession } : {},
    });
    const response = await fetch(approval.headers.get('location')!);
    return {
      status: response.status,
      body: await response.json(),
      headers: response.headers,
      xSession: approval.headers.get('set-cookie')!.split(';')[0],
    };
  }

  const eventsOf = (accountId: string) =>
    sql.query<{ type: string; workspace_id: string; data: Record<string, unknown> }[]>(
      `SELECT type, workspace_id, data FROM events WHERE data->>'accountId' = $1 ORDER BY id`,
      [accountId],
    );

  const audit = async (query = ''): Promise<ApiResponse> => {
    const response = await acme.api.get(`/v1/audit${query}`);
    expect(response.status).toBe(200);
    return response;
  };

  describe('accounts', () => {
    it('records an account added with credentials: who, what, subject, details, address, request id, time', async () => {
      const before = Date.now();
      const added = await acme.api.post('/v1/accounts', {
        platform: 'x',
        name: '@audited',
        credentials: { accessToken: 'audited-token' },
      });
      expect(added.status).toBe(201);

      const { body } = await audit(`?subjectId=${added.body.id}`);
      expect(body).toEqual({
        items: [
          {
            id: expect.any(String),
            who: { type: 'api_key', id: acmeKeyId, label: 'Default key' },
            what: 'account.connected',
            subject: { type: 'account', id: added.body.id },
            details: { platform: 'x', name: '@audited', through: 'credentials' },
            ip: expect.stringMatching(/127\.0\.0\.1$/),
            requestId: added.headers.get('x-request-id'),
            at: expect.stringMatching(ISO_TIME),
          },
        ],
        nextCursor: null,
      });
      expect(new Date(body.items[0].at).getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(JSON.stringify(body)).not.toContain('audited-token');
      expect(await eventsOf(added.body.id)).toEqual([
        {
          type: 'account.connected',
          workspace_id: acme.id,
          data: { accountId: added.body.id, platform: 'x', name: '@audited' },
        },
      ]);
    });

    it('records an OAuth connection for whoever started it, and connecting it again as reconnected', async () => {
      const first = await connectThroughOAuth(acme);
      expect(first.status).toBe(200);
      const [account] = first.body.items;
      await sql.query(`UPDATE social_accounts SET status = 'needs_reauth' WHERE id = $1`, [account.id]);
      const again = await connectThroughOAuth(acme, first.xSession);
      expect(again.status).toBe(200);
      expect(again.body.items[0]).toMatchObject({ id: account.id, status: 'active' });

      const { body } = await audit(`?subjectId=${account.id}`);
      expect(body.items).toEqual([
        expect.objectContaining({
          who: { type: 'api_key', id: acmeKeyId, label: 'Default key' },
          what: 'account.reconnected',
          details: { platform: 'x', name: account.name, through: 'oauth' },
          requestId: again.headers.get('x-request-id'),
        }),
        expect.objectContaining({ what: 'account.connected', requestId: first.headers.get('x-request-id') }),
      ]);
      expect((await eventsOf(account.id)).map((event) => event.type)).toEqual([
        'account.connected',
        'account.reconnected',
      ]);
    });

    it('records a removal, and a removal of nothing records nothing', async () => {
      const account = await newAccount(acme);
      expect((await acme.api.delete(`/v1/accounts/${account.id}`)).status).toBe(204);
      expect((await acme.api.delete(`/v1/accounts/${account.id}`)).status).toBe(404);

      const { body } = await audit(`?subjectId=${account.id}`);
      expect(body.items.map((line: { what: string }) => line.what)).toEqual(['account.removed', 'account.connected']);
      expect((await eventsOf(account.id)).map((event) => event.type)).toEqual(['account.connected', 'account.removed']);
    });

    it('records nothing for an account the platform refuses', async () => {
      const lines = async () => (await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_log`))[0].n;
      const before = await lines();
      emulator.revokeToken('refused-token');
      const refused = await acme.api.post('/v1/accounts', {
        platform: 'x',
        credentials: { accessToken: 'refused-token' },
      });
      expect(refused.status).toBe(400);
      expect(await lines()).toBe(before);
    });
  });

  describe('GET /v1/audit', () => {
    let accountIds: string[];

    beforeAll(async () => {
      accountIds = [];
      for (let i = 0; i < 5; i++) accountIds.push((await newAccount(acme)).id);
      await newAccount(other);
    });

    it('pages newest first through an opaque cursor, without repeating or skipping a line', async () => {
      const all = (await audit('?limit=100')).body.items as { id: string }[];
      expect(all.length).toBeGreaterThanOrEqual(9);
      const ids = all.map((line) => BigInt(line.id));
      expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: ApiResponse = await audit(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.body.items.map((line: { id: string }) => line.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all.map((line) => line.id));
    });

    it('filters by action, a family of actions, actor, subject and time', async () => {
      const removed = (await audit('?action=account.removed')).body.items;
      expect(removed.length).toBeGreaterThan(0);
      expect(removed.every((line: { what: string }) => line.what === 'account.removed')).toBe(true);

      const family = (await audit('?action=account.*&limit=100')).body.items;
      expect(new Set(family.map((line: { what: string }) => line.what))).toEqual(
        new Set(['account.connected', 'account.reconnected', 'account.removed']),
      );
      expect((await audit('?action=account')).body.items).toEqual([]);

      const byKey = (await audit(`?actorType=api_key&actorId=${acmeKeyId}&limit=100`)).body.items;
      expect(byKey).toHaveLength(family.length);
      expect((await audit('?actorType=user')).body.items).toEqual([]);

      const one = (await audit(`?subjectType=account&subjectId=${accountIds[2]}`)).body.items;
      expect(one).toEqual([expect.objectContaining({ subject: { type: 'account', id: accountIds[2] } })]);

      const at = new Date(one[0].at);
      const window = (from: Date, to: Date) =>
        audit(`?subjectId=${accountIds[2]}&from=${from.toISOString()}&to=${to.toISOString()}`);
      expect((await window(at, new Date(at.getTime() + 1))).body.items).toHaveLength(1);
      expect((await window(new Date(at.getTime() - 60_000), at)).body.items).toEqual([]);
      expect((await window(new Date(at.getTime() + 1), new Date(at.getTime() + 60_000))).body.items).toEqual([]);
    });

    it('shows a workspace its own lines only', async () => {
      const mine = (await other.api.get('/v1/audit?limit=100')).body.items as {
        what: string;
        subject: { id: string };
      }[];
      expect(mine.map((line) => line.what)).toEqual(['account.connected', 'workspace.created']);
      const acmeSubjects = new Set(
        ((await audit('?limit=100')).body.items as { subject: { id: string } }[]).map((line) => line.subject.id),
      );
      expect(mine.filter((line) => acmeSubjects.has(line.subject.id))).toEqual([]);
    });

    it.each([
      ['action', '?action=DROP TABLE', /action must be an action/],
      ['actorType', '?actorType=robot', /actorType must be one of: user, api_key, operator, system/],
      ['actorId', '?actorId=42', /actorId must be the id/],
      ['subjectType', '?subjectType=Post!', /subjectType must be a kind of subject/],
      ['subjectId', '?subjectId=nope', /subjectId must be the id/],
      ['from', '?from=yesterday', /from must be an ISO 8601 date-time/],
      ['from', '?from=2026-02-31T00:00:00Z', /from is not a valid date-time/],
      ['to', '?to=2026-12-01T10:00:00', /to must be an ISO 8601 date-time/],
      ['to', '?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', /to must be later than from/],
      ['limit', '?limit=101', /limit must not be greater than 100/],
      ['limit', '?limit=0', /limit must not be less than 1/],
      ['cursor', '?cursor=bm90LWEtY3Vyc29y', /cursor is not one this API returned/],
      ['since', '?since=2026-12-01T00:00:00Z', /property since should not exist/],
    ])('answers 400 naming %s for %s', async (field, query, message) => {
      const response = await acme.api.get(`/v1/audit${query}`);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual(
        expect.arrayContaining([{ field, message: expect.stringMatching(message) }]),
      );
    });

    it.each([
      ['the newest lines', 'audit_log_workspace_idx', {}],
      ['one subject', 'audit_log_subject_idx', { subjectId: '00000000-0000-4000-8000-000000000001' }],
      ['one actor', 'audit_log_actor_idx', { actorType: 'user', actorId: '00000000-0000-4000-8000-000000000002' }],
    ] as const)('reads %s through %s', async (_name, index, filters: Partial<AuditPageQuery>) => {
      const query = auditPageQuery({ workspaceId: acme.id, limit: 51, beforeId: '1000000', ...filters });
      // With sequential scans priced out, the plan reads the index that serves the filter and the order:
      // the query the repository runs, not a copy.
      const runner = sql.createQueryRunner();
      await runner.startTransaction();
      try {
        await runner.query(`SET LOCAL enable_seqscan = off`);
        const plan = (await runner.query(`EXPLAIN ${query.text}`, query.values)) as { 'QUERY PLAN': string }[];
        const text = plan.map((row) => row['QUERY PLAN']).join('\n');
        expect(text).toContain(index);
        expect(text).not.toMatch(/\bSort\b/);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });

    it('needs the admin role', async () => {
      for (const role of ['editor', 'viewer']) {
        const response = await (await keyWithRole(acme, role)).get('/v1/audit');
        expect(response.status).toBe(403);
        expect(response.body.message).toMatch(/needs the admin role/);
      }
      expect((await (await keyWithRole(acme, 'admin')).get('/v1/audit')).status).toBe(200);
      expect((await acme.api.as(undefined).get('/v1/audit')).status).toBe(401);
    });
  });
});
