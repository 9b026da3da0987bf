import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  AlertFactsRepository,
  EventConsumerRepository,
  EventRepository,
  generateApiKey,
  hashApiKey,
  Mailer,
  type NewEvent,
  PlatformRegistry,
  TransactionRunner,
  UserRepository,
  type Role,
} from '@app/shared';
import { ALERTS_CONSUMER, AlertsService } from '../../apps/scheduler/src/alerts/alerts.service.js';
import { SchedulerLock } from '../../apps/scheduler/src/common/scheduler-lock.js';
import { SessionsService } from '../../apps/backend/src/auth/sessions.service.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../apps/backend/src/auth/session-token.js';
import { ApiClient } from '../support/api-client.js';
import { eventually } from '../support/factories.js';
import { startBackend, startScheduler, type RunningBackend } from '../support/herald-apps.js';
import { startMailServer, type MailServer, type ReceivedMail } from '../support/mail-server.js';
import { insertPost, repositoriesOver, workspaceWithAccounts, type Repositories } from '../support/repositories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const BASE_URL = 'https://herald.test';
const HOUR_MS = 3_600_000;

interface Person {
  id: string;
  email: string;
}

/**
 * Alert mails, end to end over the real PostgreSQL and a real SMTP server: events appended to the
 * outbox as the worker and scheduler write them, passes run by the test (the scheduler's own interval
 * is an hour here, except in the last test), mails read from what the SMTP server received.
 */
describe('alerts', () => {
  let database: TestDatabase;
  let environment: Record<string, string>;
  let redis: TestRedis;
  let mail: MailServer;
  let scheduler: INestApplicationContext;
  let backend: RunningBackend;
  let repositories: Repositories;
  let workspaceId: string;
  let accountId: string;
  const people = {} as Record<'owner' | 'admin' | 'author' | 'editor' | 'viewer', Person>;

  const sql = () => scheduler.get(DataSource);
  const alerts = () => scheduler.get(AlertsService);
  const recipients = (mails: ReceivedMail[] = mail.received) => mails.flatMap((m) => m.to).sort();
  const mailTo = (person: Person) => mail.received.filter((m) => m.to.includes(person.email));

  async function person(name: string, role: Role): Promise<Person> {
    const email = `${name}-${randomBytes(3).toString('hex')}@example.com`;
    const user = await scheduler.get(UserRepository).create({ email, name, passwordHash: null });
    await sql().query(`INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)`, [
      workspaceId,
      user!.id,
      role,
    ]);
    return { id: user!.id, email };
  }

  /** A post on the account, written by `author`, `hoursAhead` from now. */
  async function post(content: string, author: Person | null, hoursAhead = 0) {
    const { postId, targetIds } = await insertPost(
      repositories,
      workspaceId,
      [accountId],
      new Date(Date.now() + hoursAhead * HOUR_MS),
    );
    await sql().query(`UPDATE posts SET content = $2, author_user_id = $3 WHERE id = $1`, [
      postId,
      content,
      author?.id ?? null,
    ]);
    return { postId, targetId: targetIds[0] };
  }

  const append = (events: NewEvent[]) =>
    scheduler.get(TransactionRunner).run((tx) => scheduler.get(EventRepository).append(tx, workspaceId, events));

  /** A target that failed as the worker records it: its status and error, and the event in one transaction. */
  async function failTarget(target: { postId: string; targetId: string }, message: string) {
    await scheduler.get(TransactionRunner).run(async (tx) => {
      await tx.query(
        `UPDATE post_targets SET status = 'failed', last_error = $2, next_attempt_at = NULL WHERE id = $1`,
        [target.targetId, message],
      );
      await scheduler
        .get(EventRepository)
        .append(tx, workspaceId, [{ type: 'target.failed', data: { ...target, accountId, message } }]);
    });
  }

  /**
   * Waits until `count` events after the alerts' cursor can be read. The outbox is read only up to the
   * oldest transaction still running on the PostgreSQL server, so another test file's open transaction
   * holds every reader back until it ends.
   */
  async function readable(count: number) {
    await eventually(
      async () => {
        const cursor = await scheduler.get(EventConsumerRepository).cursorOf(ALERTS_CONSUMER);
        return (await scheduler.get(EventRepository).readAfter(cursor, count)).length === count || undefined;
      },
      { what: `${count} readable events` },
    );
  }

  /** An alerts service like the scheduler's, but with other settings (its own SMTP server, grouping). */
  function alertsWith(overrides: Record<string, string>): { service: AlertsService; close(): void } {
    const config = testConfig({ ...environment, ...overrides });
    const mailer = new Mailer(config);
    const service = new AlertsService(
      scheduler.get(EventRepository),
      scheduler.get(EventConsumerRepository),
      scheduler.get(AlertFactsRepository),
      scheduler.get(PlatformRegistry),
      mailer,
      scheduler.get(SchedulerLock),
      config,
    );
    return { service, close: () => mailer.onModuleDestroy() };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    mail = await startMailServer();
    environment = testEnvironment(
      { databaseUrl: database.url, queuePrefix: redis.prefix },
      {
        SMTP_URL: mail.url,
        PUBLIC_BASE_URL: BASE_URL,
        ALERTS_INTERVAL_SECONDS: '3600',
        ALERTS_GROUP_SECONDS: '0',
        SCHEDULER_CRON: '0 0 1 1 *',
      },
    );
    scheduler = await startScheduler(testConfig(environment));
    backend = await startBackend(testConfig(environment));
    repositories = { database, sql: sql(), ...repositoriesOver(sql()), close: () => Promise.resolve() };
    ({
      workspaceId,
      accountIds: [accountId],
    } = await workspaceWithAccounts(repositories, 1));
    await sql().query(`UPDATE workspaces SET name = 'Acme' WHERE id = $1`, [workspaceId]);
    people.owner = await person('olga', 'owner');
    people.admin = await person('adam', 'admin');
    people.author = await person('erin', 'editor');
    people.editor = await person('ed', 'editor');
    people.viewer = await person('vic', 'viewer');
  });

  afterAll(async () => {
    await backend?.close();
    await scheduler?.close();
    await mail?.close();
    await redis?.close();
    await database?.drop();
  });

  beforeEach(() => {
    mail.received.splice(0);
  });

  it('mails a failed post to the admins, the owner and its author, naming the post, account and platform’s words', async () => {
    const target = await post('Our spring sale starts today', people.author);
    await failTarget(target, 'You are not allowed to create a Tweet with duplicate content.');

    await readable(1);
    expect(await alerts().runPass()).toEqual({ events: 1, mails: 3 });

    expect(recipients()).toEqual([people.admin.email, people.author.email, people.owner.email].sort());
    const [toAuthor] = mailTo(people.author);
    expect(toAuthor.subject).toBe('Herald: 1 post failed');
    expect(toAuthor.text).toContain('Workspace "Acme"');
    expect(toAuthor.text).toContain(`${target.postId} "Our spring sale starts today"`);
    expect(toAuthor.text).toContain('Post failed on X (@account0)');
    expect(toAuthor.text).toContain('X said: "You are not allowed to create a Tweet with duplicate content."');
    expect(toAuthor.text).toContain(`POST ${BASE_URL}/v1/posts/${target.postId}/retry`);
    // The editor who did not write it and the viewer hear nothing.
    expect(mailTo(people.editor)).toEqual([]);
    expect(mailTo(people.viewer)).toEqual([]);
  });

  it('groups a burst of five failures into one mail per person', async () => {
    for (let i = 1; i <= 5; i++) {
      await failTarget(await post(`Burst post ${i}`, people.owner), `Rate limit exceeded (${i})`);
    }

    await readable(5);
    expect(await alerts().runPass()).toEqual({ events: 5, mails: 2 });

    expect(recipients()).toEqual([people.admin.email, people.owner.email].sort());
    const [toOwner] = mailTo(people.owner);
    expect(toOwner.subject).toBe('Herald: 5 posts failed');
    for (let i = 1; i <= 5; i++) expect(toOwner.text).toContain(`"Burst post ${i}"`);
  });

  it('reports an account that needs reconnecting at once, listing the scheduled posts it puts at risk', async () => {
    const [{ id: otherAccount }] = await sql().query<{ id: string }[]>(
      `INSERT INTO social_accounts (workspace_id, platform, name, status, status_reason)
       VALUES ($1, 'x', '@acme_news', 'needs_reauth', 'invalid_grant: token revoked') RETURNING id`,
      [workspaceId],
    );
    const soon = await insertPost(repositories, workspaceId, [otherAccount], new Date(Date.now() + 2 * HOUR_MS));
    const later = await insertPost(repositories, workspaceId, [otherAccount], new Date(Date.now() + 26 * HOUR_MS));
    await sql().query(`UPDATE posts SET content = 'Launch day' WHERE id = $1`, [later.postId]);
    await append([
      { type: 'account.needs_reauth', data: { accountId: otherAccount, reason: 'invalid_grant: token revoked' } },
    ]);

    await readable(1);
    expect(await alerts().runPass()).toEqual({ events: 1, mails: 2 });

    expect(recipients()).toEqual([people.admin.email, people.owner.email].sort());
    const [toAdmin] = mailTo(people.admin);
    expect(toAdmin.subject).toBe('Herald: 1 account needs reconnecting');
    expect(toAdmin.text).toContain('Account needs reconnecting: X (@acme_news)');
    expect(toAdmin.text).toContain('X said: "invalid_grant: token revoked"');
    expect(toAdmin.text).toContain('2 scheduled posts fail unless it is reconnected before their time');
    const listed = toAdmin.text.split('\n').filter((line) => line.startsWith('    - '));
    expect(listed).toEqual([
      expect.stringContaining(`${soon.postId} "Hello"`),
      expect.stringContaining(`${later.postId} "Launch day"`),
    ]);
    expect(toAdmin.text).toContain(`GET ${BASE_URL}/v1/connect/x`);
  });

  describe('preferences', () => {
    let api: ApiClient;
    const ALL_ON = { failed: true, unknown: true, missed: true, needsReauth: true };

    async function signedIn(who: Person) {
      const session = await backend.app.get(SessionsService).start(who.id, { userAgent: null, ip: null });
      return { cookie: `${SESSION_COOKIE}=${session.token}`, [CSRF_HEADER]: session.csrfToken };
    }

    const preferencesRows = () => sql().query(`SELECT user_id FROM alert_preferences`);

    beforeAll(() => {
      api = new ApiClient(backend.url);
    });

    it('list every workspace of the person, all on until they choose', async () => {
      const headers = await signedIn(people.editor);
      const listed = await api.get('/v1/me/alerts', headers);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ items: [{ workspaceId, workspaceName: 'Acme', role: 'editor', ...ALL_ON }] });
    });

    it('refuse a body that leaves a kind out, and a workspace the person is not in, writing nothing', async () => {
      const headers = await signedIn(people.admin);
      const refused = await api.request<any>(
        'PUT',
        `/v1/me/alerts/${workspaceId}`,
        { failed: false, unknown: 'no' },
        headers,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
        'missed',
        'needsReauth',
        'unknown',
      ]);

      const other = await workspaceWithAccounts(repositories, 0);
      for (const id of [other.workspaceId, 'not-a-workspace']) {
        const notMine = await api.request<any>('PUT', `/v1/me/alerts/${id}`, ALL_ON, headers);
        expect([notMine.status, notMine.body.message]).toEqual([404, 'Workspace not found']);
      }
      expect(await preferencesRows()).toEqual([]);
      expect(await sql().query(`SELECT id FROM audit_log WHERE action LIKE 'member.alert%'`)).toEqual([]);
    });

    it('are a person’s: an API key is not signed in', async () => {
      const apiKey = generateApiKey();
      await sql().query(`INSERT INTO api_keys (workspace_id, key_hash, name, role) VALUES ($1, $2, 'CMS', 'admin')`, [
        workspaceId,
        hashApiKey(apiKey),
      ]);
      expect((await api.as(apiKey).get('/v1/me/alerts')).status).toBe(401);
    });

    it('turned off, stop that kind of alert for that member only, and are audited', async () => {
      const headers = await signedIn(people.admin);
      const choice = { ...ALL_ON, failed: false };
      const saved = await api.request('PUT', `/v1/me/alerts/${workspaceId}`, choice, headers);
      expect([saved.status, saved.body]).toEqual([200, { workspaceId, ...choice }]);
      expect((await api.get('/v1/me/alerts', headers)).body.items).toEqual([
        { workspaceId, workspaceName: 'Acme', role: 'admin', ...choice },
      ]);
      expect(
        await sql().query(`SELECT actor_id, action, subject_id FROM audit_log WHERE action LIKE 'member.alert%'`),
      ).toEqual([
        { actor_id: people.admin.id, action: 'member.alert_preferences_changed', subject_id: people.admin.id },
      ]);

      await failTarget(await post('Nobody tells Adam', people.owner), 'Service unavailable');
      await append([{ type: 'target.unknown', data: { ...(await post('Lost answer', people.owner)), accountId } }]);
      await readable(2);
      expect(await alerts().runPass()).toEqual({ events: 2, mails: 2 });

      // Adam still hears of the unknown outcome, not of the failure; Olga of both.
      expect(mailTo(people.admin).map((m) => m.subject)).toEqual(['Herald: 1 post may not have gone out']);
      expect(mailTo(people.owner).map((m) => m.subject)).toEqual([
        'Herald: 1 post failed, 1 post may not have gone out',
      ]);

      expect((await api.request('PUT', `/v1/me/alerts/${workspaceId}`, ALL_ON, headers)).status).toBe(200);
    });
  });

  it('mails again rather than losing the alert when the pass dies before its cursor moves', async () => {
    const consumers = scheduler.get(EventConsumerRepository);
    const before = await consumers.cursorOf(ALERTS_CONSUMER);
    await failTarget(await post('Sent twice rather than never', null), 'Internal error');
    const crash = jest.spyOn(consumers, 'advance').mockRejectedValueOnce(new Error('process killed'));
    try {
      await readable(1);
      await expect(alerts().runPass()).rejects.toThrow('process killed');
    } finally {
      crash.mockRestore();
    }
    expect(await consumers.cursorOf(ALERTS_CONSUMER)).toEqual(before);
    expect(recipients()).toEqual([people.admin.email, people.owner.email].sort());

    await readable(1);
    expect(await alerts().runPass()).toEqual({ events: 1, mails: 2 });
    expect(mailTo(people.owner).map((m) => m.subject)).toEqual(['Herald: 1 post failed', 'Herald: 1 post failed']);
    expect(await alerts().runPass()).toEqual({ events: 0, mails: 0 });
  });

  it('never skips an event whose transaction commits after a later one: the cursor waits for it', async () => {
    const slow = await post('Committed late', null);
    const quick = await post('Committed first', null);
    const runner = sql().createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await scheduler
        .get(EventRepository)
        .append(runner.manager as never, workspaceId, [{ type: 'target.failed', data: { ...slow, accountId } }]);
      await failTarget(quick, 'Bad request');

      // The later transaction's event is not read while the earlier one may still commit before it.
      expect(await alerts().runPass()).toEqual({ events: 0, mails: 0 });
      expect(mail.received).toEqual([]);

      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await readable(2);
    expect(await alerts().runPass()).toEqual({ events: 2, mails: 2 });
    const [toOwner] = mailTo(people.owner);
    expect(toOwner.subject).toBe('Herald: 2 posts failed');
    expect(toOwner.text).toContain('"Committed late"');
    expect(toOwner.text).toContain('"Committed first"');
  });

  it('waits up to ALERTS_GROUP_SECONDS for the rest of a burst, then mails it as one', async () => {
    const grouping = alertsWith({ ALERTS_GROUP_SECONDS: '60' });
    try {
      await failTarget(await post('First of a slow burst', null), 'Bad gateway');
      await readable(1);
      expect(await grouping.service.runPass(new Date())).toEqual({ events: 0, mails: 0 });

      await failTarget(await post('Second of a slow burst', null), 'Bad gateway');
      await readable(2);
      expect(await grouping.service.runPass(new Date(Date.now() + 61_000))).toEqual({ events: 2, mails: 2 });
      expect(mailTo(people.owner).map((m) => m.subject)).toEqual(['Herald: 2 posts failed']);
    } finally {
      grouping.close();
    }
  });

  it('keeps the alerts for the next pass while the SMTP server cannot be reached', async () => {
    const unreachable = alertsWith({ SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      await failTarget(await post('Waits for SMTP', null), 'Bad request');
      await readable(1);
      await expect(unreachable.service.runPass()).rejects.toThrow(/ECONNREFUSED|connect/);
    } finally {
      unreachable.close();
    }
    await readable(1);
    expect(await alerts().runPass()).toEqual({ events: 1, mails: 2 });
    expect(recipients()).toEqual([people.admin.email, people.owner.email].sort());
  });

  it('skips a recipient the SMTP server refuses for good, so the others still get theirs', async () => {
    const bouncing = await startMailServer({ refuses: (address) => address === people.admin.email });
    const refusing = alertsWith({ SMTP_URL: bouncing.url });
    try {
      await failTarget(await post('Adam’s mailbox is gone', null), 'Bad request');
      await readable(1);
      expect(await refusing.service.runPass()).toEqual({ events: 1, mails: 2 });
      expect(recipients(bouncing.received)).toEqual([people.owner.email]);
      expect(await refusing.service.runPass()).toEqual({ events: 0, mails: 0 });
    } finally {
      refusing.close();
      await bouncing.close();
    }
  });

  it('runs on its own every ALERTS_INTERVAL_SECONDS in the scheduler', async () => {
    const ticking = await startScheduler(
      testConfig(
        testEnvironment(
          { databaseUrl: database.url, queuePrefix: redis.prefix },
          { SMTP_URL: mail.url, ALERTS_INTERVAL_SECONDS: '1', ALERTS_GROUP_SECONDS: '0', SCHEDULER_CRON: '0 0 1 1 *' },
        ),
      ),
    );
    try {
      await failTarget(await post('Found by the interval', people.author), 'Forbidden');
      const toAuthor = await mail.waitFor((m) => m.to.includes(people.author.email));
      expect(toAuthor.text).toContain('"Found by the interval"');
    } finally {
      await ticking.close();
    }
  });
});
