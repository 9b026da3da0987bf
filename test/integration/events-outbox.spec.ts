import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type Logger, type QueryRunner } from 'typeorm';
import {
  API_ROLE,
  dataSourceOptions,
  EventRepository,
  PostRepository,
  PostTargetRepository,
  SocialAccountRepository,
  TransactionRunner,
  type ClaimedTarget,
  type EventCursor,
  type HeraldEvent,
  type Tx,
} from '@app/shared';
import { eventually, newAccount, newPost } from '../support/factories.js';
import { WRONG_OUTCOME_EVENTS } from '../support/outbox-check.js';
import { startPipeline, targetsOf, waitUntilSettled, type Pipeline } from '../support/pipeline.js';

const HOUR_MS = 3_600_000;
const TRANSACTION_CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)/i;

/** Counts the statements a connection sends, transaction control aside. */
class StatementCounter implements Logger {
  statements: string[] = [];
  logQuery(query: string): void {
    if (!TRANSACTION_CONTROL.test(query.trim())) this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

interface EventRow {
  id: string;
  type: string;
  workspace_id: string;
  data: Record<string, unknown>;
}

/**
 * The events outbox (issue 11): an event is written in the transaction of the change it reports, so
 * it exists exactly when the change committed; it lives in PostgreSQL, so Redis losing its jobs or a
 * worker dying loses none; and a reader following EventRepository.readAfter never skips one.
 */
describe('events outbox', () => {
  let pipeline: Pipeline;
  let transactions: TransactionRunner;
  let events: EventRepository;
  let targets: PostTargetRepository;
  let accounts: SocialAccountRepository;

  beforeAll(async () => {
    // No scheduler until the tests that need one: targets claimed by hand must not get a job under them.
    pipeline = await startPipeline({ scheduler: false });
    transactions = new TransactionRunner(pipeline.sql);
    events = new EventRepository(pipeline.sql);
    targets = new PostTargetRepository(pipeline.sql, transactions, new PostRepository());
    accounts = new SocialAccountRepository(pipeline.sql, transactions);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  const eventsAbout = (key: 'targetId' | 'accountId', id: string): Promise<EventRow[]> =>
    pipeline.sql.query<EventRow[]>(`SELECT id, type, workspace_id, data FROM events WHERE data->>$1 = $2 ORDER BY id`, [
      key,
      id,
    ]);

  /** The targets of `postIds` whose outcome events are missing, doubled or wrong (see outbox-check.ts). */
  const wrongOutcomeEvents = (postIds: string[]) => pipeline.sql.query(WRONG_OUTCOME_EVENTS, [postIds]);

  /** A claim of a new target (of a post due in an hour, made due now), as a worker would hold it. */
  async function claimNew(repository = targets): Promise<{ claim: ClaimedTarget; postId: string }> {
    const account = await newAccount(pipeline.workspace);
    const post = await newPost(pipeline.workspace, {
      publishAt: new Date(Date.now() + HOUR_MS),
      accountIds: [account.id],
    });
    const [{ id }] = await targetsOf(pipeline, post.id);
    await pipeline.sql.query(`UPDATE post_targets SET next_attempt_at = now() WHERE id = $1`, [id]);
    const claim = await repository.claim(id, 60);
    expect(claim).toMatchObject({ id, attempt: 1 });
    return { claim: claim!, postId: post.id };
  }

  describe('an event exists exactly when its change committed', () => {
    it('appended in a transaction that rolls back, leaves none; in one that commits, one', async () => {
      const data = { marker: `rollback-${Date.now()}` };
      await expect(
        transactions.run(async (tx) => {
          await events.append(tx, pipeline.workspace.id, [{ type: 'post.created', data }]);
          throw new Error('the change fails after its event was appended');
        }),
      ).rejects.toThrow('the change fails');
      const count = async () =>
        (
          await pipeline.sql.query<{ count: string }[]>(`SELECT count(*) FROM events WHERE data->>'marker' = $1`, [
            data.marker,
          ])
        )[0].count;
      expect(await count()).toBe('0');

      await transactions.run((tx) => events.append(tx, pipeline.workspace.id, [{ type: 'post.created', data }]));
      expect(await count()).toBe('1');
    });

    it.each([
      [
        'published',
        (claim: ClaimedTarget) =>
          targets.markPublished(
            claim,
            [{ platformPostId: '1001', url: 'https://x.com/i/web/status/1001' }],
            'published',
          ),
        { platformPostId: '1001', url: 'https://x.com/i/web/status/1001' },
      ],
      [
        'failed',
        (claim: ClaimedTarget) =>
          targets.markFailed(claim, { outcome: 'failed', error: 'X refused the post (403)', statusCode: 403 }),
        { message: 'X refused the post (403)', statusCode: 403 },
      ],
      [
        'missed',
        (claim: ClaimedTarget) => targets.markMissed(claim, { outcome: 'missed', error: 'more than 600 s late' }),
        { message: 'more than 600 s late' },
      ],
      [
        'unknown',
        (claim: ClaimedTarget) =>
          targets.markUnknown(claim, { outcome: 'unverifiable', error: 'X cannot tell whether it landed' }, null),
        { message: 'X cannot tell whether it landed' },
      ],
    ] as const)(
      'a target that ends %s reports it once, with its ids and the platform’s message',
      async (status, end, facts) => {
        const { claim, postId } = await claimNew();
        expect(await end(claim)).toBe(true);

        const reported = await eventsAbout('targetId', claim.id);
        expect(reported).toEqual([
          {
            id: expect.any(String),
            type: `target.${status}`,
            workspace_id: pipeline.workspace.id,
            data: {
              postId,
              targetId: claim.id,
              accountId: claim.accountId,
              platform: 'x',
              attempt: 1,
              ...facts,
            },
          },
        ]);
        expect(await wrongOutcomeEvents([postId])).toEqual([]);
      },
    );

    it('reports nothing for an attempt that is retried or checked later: the target has not ended', async () => {
      const retried = await claimNew();
      expect(
        await targets.markForRetry(retried.claim, { outcome: 'retry', error: 'connection refused' }, new Date()),
      ).toBe(true);
      const checked = await claimNew();
      expect(
        await targets.markUnknown(checked.claim, { outcome: 'unknown', error: '503' }, new Date(Date.now() + 60_000)),
      ).toBe(true);

      expect(await eventsAbout('targetId', retried.claim.id)).toEqual([]);
      expect(await eventsAbout('targetId', checked.claim.id)).toEqual([]);
    });

    it('reports nothing for a worker that lost its lease: its outcome is not recorded', async () => {
      const { claim } = await claimNew();
      await pipeline.sql.query(`UPDATE post_targets SET attempts = attempts + 1 WHERE id = $1`, [claim.id]);

      expect(await targets.markFailed(claim, { outcome: 'failed', error: 'refused' })).toBe(false);
      expect(await targets.markPublished(claim, [{ platformPostId: '7', url: 'https://x.com/7' }], 'published')).toBe(
        false,
      );
      expect(await eventsAbout('targetId', claim.id)).toEqual([]);
    });

    it('is checked by a query that finds a target ended without its event, or with a second one', async () => {
      const { claim, postId } = await claimNew();
      expect(await wrongOutcomeEvents([postId])).toEqual([]);
      await pipeline.sql.query(`UPDATE post_targets SET status = 'failed' WHERE id = $1`, [claim.id]);
      expect(await wrongOutcomeEvents([postId])).toEqual([{ id: claim.id, status: 'failed', types: [] }]);

      const twice = await claimNew();
      await targets.markFailed(twice.claim, { outcome: 'failed', error: 'refused' });
      await transactions.run((tx) =>
        events.append(tx, pipeline.workspace.id, [{ type: 'target.failed', data: { targetId: twice.claim.id } }]),
      );
      expect(await wrongOutcomeEvents([twice.postId])).toEqual([
        { id: twice.claim.id, status: 'failed', types: ['target.failed', 'target.failed'] },
      ]);
    });

    it('reports an account that needs reconnecting once, and not when the change rolls back', async () => {
      const account = await newAccount(pipeline.workspace);
      const needsReauth = (reason: string, thenFail = false) =>
        accounts.withLockedCredentials(account.id, async (_locked, changes) => {
          await changes.needsReauth(reason);
          if (thenFail) throw new Error('the transaction rolls back');
        });

      await expect(needsReauth('token revoked', true)).rejects.toThrow('rolls back');
      expect(await eventsAbout('accountId', account.id)).toEqual([
        expect.objectContaining({ type: 'account.connected' }),
      ]);

      await needsReauth('token revoked');
      // A second refusal (another target, the scheduler's renewal) updates the reason, reports nothing new.
      await needsReauth('token revoked again');
      const reported = await eventsAbout('accountId', account.id);
      expect(reported.map((event) => event.type)).toEqual(['account.connected', 'account.needs_reauth']);
      expect(reported[1]).toMatchObject({
        workspace_id: pipeline.workspace.id,
        data: { accountId: account.id, platform: 'x', name: expect.any(String), reason: 'token revoked' },
      });
      const [row] = await pipeline.sql.query<{ status: string; status_reason: string }[]>(
        `SELECT status, status_reason FROM social_accounts WHERE id = $1`,
        [account.id],
      );
      expect(row).toEqual({ status: 'needs_reauth', status_reason: 'token revoked again' });
    });

    it('costs the worker no statement more: an outcome is still the lock and one statement', async () => {
      const counter = new StatementCounter();
      const counted = await new DataSource({
        ...dataSourceOptions(pipeline.database.url, 'herald-test-counted'),
        logger: counter,
        logging: true,
      }).initialize();
      try {
        const countedTargets = new PostTargetRepository(counted, new TransactionRunner(counted), new PostRepository());
        const { claim } = await claimNew(countedTargets);
        counter.statements = [];

        expect(await countedTargets.markFailed(claim, { outcome: 'failed', error: 'refused (400)' })).toBe(true);

        expect(counter.statements).toHaveLength(2);
        expect(await eventsAbout('targetId', claim.id)).toEqual([expect.objectContaining({ type: 'target.failed' })]);
      } finally {
        await counted.destroy();
      }
    });
  });

  describe('a Redis flush or a killed worker loses no event', () => {
    beforeAll(async () => {
      await pipeline.startScheduler();
    });

    it('publishes a post whose job a flush lost, and reports it once; the event outlives another flush', async () => {
      const account = await newAccount(pipeline.workspace);
      await pipeline.stopWorker();
      const post = await newPost(pipeline.workspace, { content: 'Flushed, then published', accountIds: [account.id] });
      expect(await pipeline.redis.flush()).toBeGreaterThan(0);
      await pipeline.startWorker();

      const [target] = await waitUntilSettled(pipeline, post.id);
      expect(target.status).toBe('published');
      await pipeline.redis.flush();
      expect(await eventsAbout('targetId', target.id)).toEqual([
        expect.objectContaining({
          type: 'target.published',
          data: expect.objectContaining({ postId: post.id, platformPostId: target.platform_post_id }),
        }),
      ]);
      expect(await wrongOutcomeEvents([post.id])).toEqual([]);
    });

    it('reports the outcome of a target whose worker died mid-publish once, from the worker that took over', async () => {
      const account = await newAccount(pipeline.workspace);
      await pipeline.stopWorker();
      const post = await newPost(pipeline.workspace, { content: 'The worker died here', accountIds: [account.id] });
      const [{ id: targetId }] = await targetsOf(pipeline, post.id);
      // What a worker killed mid-publish leaves behind: a claimed target whose lease lapses, no outcome.
      await pipeline.sql.query(
        `UPDATE post_targets SET status = 'publishing', attempts = 1, lease_expires_at = now() + interval '2 seconds',
                updated_at = now() WHERE id = $1`,
        [targetId],
      );
      await pipeline.redis.flush();
      await pipeline.startWorker();

      const [target] = await waitUntilSettled(pipeline, post.id);
      expect(target).toMatchObject({ status: 'published', attempts: 2 });
      expect(await eventsAbout('targetId', targetId)).toEqual([
        expect.objectContaining({ type: 'target.published', data: expect.objectContaining({ attempt: 2 }) }),
      ]);
      expect(await wrongOutcomeEvents([post.id])).toEqual([]);
    });
  });

  describe('EventRepository.readAfter', () => {
    /** A transaction of its own, left open until the test commits it. */
    async function openTransaction(): Promise<{ tx: Tx; runner: QueryRunner }> {
      const runner = pipeline.sql.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      return { tx: runner.manager as Tx, runner };
    }

    async function commit({ runner }: { runner: QueryRunner }): Promise<void> {
      await runner.commitTransaction();
      await runner.release();
    }

    /** Reads from `cursor` until the events marked `marker` are all there (they may wait for older transactions). */
    async function readMarked(cursor: EventCursor | null, marker: string, count: number): Promise<HeraldEvent[]> {
      return eventually(
        async () => {
          const read = (await events.readAfter(cursor, 1000)).filter((entry) => entry.event.data.marker === marker);
          return read.length === count ? read.map((entry) => entry.event) : undefined;
        },
        { what: `${count} events marked ${marker}` },
      );
    }

    /** The cursor past every event readable now. */
    async function endCursor(): Promise<EventCursor | null> {
      let cursor: EventCursor | null = null;
      for (;;) {
        const page = await events.readAfter(cursor, 1000);
        if (page.length === 0) return cursor;
        cursor = page[page.length - 1].cursor;
      }
    }

    const append = (tx: Tx, marker: string, order: number) =>
      events.append(tx, pipeline.workspace.id, [{ type: 'post.created', data: { marker, order } }]);

    it('never skips an event committed later by a transaction that started earlier', async () => {
      const marker = `earlier-${Date.now()}`;
      const cursor = await endCursor();
      const earlier = await openTransaction();
      const later = await openTransaction();
      try {
        await append(earlier.tx, marker, 1);
        await append(later.tx, marker, 2);
        await commit(later);

        // The later event is committed, but a reader that took it would move past the earlier one.
        const before = await events.readAfter(cursor, 1000);
        expect(before.filter((entry) => entry.event.data.marker === marker)).toEqual([]);
      } finally {
        await commit(earlier);
      }

      const read = await readMarked(cursor, marker, 2);
      expect(read.map((event) => event.data.order)).toEqual([1, 2]);
      expect(BigInt(read[0].id)).toBeLessThan(BigInt(read[1].id));
    });

    it('reads in (transaction id, event id) order: a lower id appended later by a younger transaction comes after', async () => {
      const marker = `order-${Date.now()}`;
      const cursor = await endCursor();
      const older = await openTransaction();
      try {
        // The older transaction takes its id first, and appends its event last (the higher event id).
        await older.tx.query(`SELECT pg_current_xact_id()`);
        const younger = await openTransaction();
        await append(younger.tx, marker, 2);
        await commit(younger);
        await append(older.tx, marker, 1);

        const before = await events.readAfter(cursor, 1000);
        expect(before.filter((entry) => entry.event.data.marker === marker)).toEqual([]);
      } finally {
        await commit(older);
      }

      const read = await readMarked(cursor, marker, 2);
      expect(read.map((event) => event.data.order)).toEqual([1, 2]);
      expect(BigInt(read[0].id)).toBeGreaterThan(BigInt(read[1].id));
      // A reader whose cursor is past both finds nothing more of them.
      const [, last] = (await events.readAfter(cursor, 1000)).filter((entry) => entry.event.data.marker === marker);
      expect((await events.readAfter(last.cursor, 1000)).filter((entry) => entry.event.data.marker === marker)).toEqual(
        [],
      );
    });
  });

  describe('append-only', () => {
    const asApi = <T>(work: (tx: Tx) => Promise<T>) => transactions.forWorkspace(pipeline.workspace.id, work);

    beforeAll(async () => {
      await transactions.run(async (tx) => {
        await events.append(tx, pipeline.workspace.id, [{ type: 'post.created', data: {} }]);
        await tx.query(
          `INSERT INTO audit_log (workspace_id, actor_type, actor_label, action) VALUES ($1, 'system', 'test', 'post.created')`,
          [pipeline.workspace.id],
        );
      });
    });

    it.each(['events', 'audit_log'])('%s refuses UPDATE and DELETE from the API role', async (table) => {
      await expect(asApi((tx) => tx.query(`UPDATE ${table} SET created_at = now()`))).rejects.toThrow(
        `permission denied for table ${table}`,
      );
      await expect(asApi((tx) => tx.query(`DELETE FROM ${table}`))).rejects.toThrow(
        `permission denied for table ${table}`,
      );
      expect(await asApi((tx) => tx.query(`SELECT current_user AS role`))).toEqual([{ role: API_ROLE }]);
    });

    it.each(['events', 'audit_log'])('%s refuses UPDATE from its owner too', async (table) => {
      await expect(pipeline.sql.query(`UPDATE ${table} SET created_at = now()`)).rejects.toThrow(
        `${table} is append-only`,
      );
      const [{ count }] = await pipeline.sql.query<{ count: string }[]>(`SELECT count(*) FROM ${table}`);
      expect(Number(count)).toBeGreaterThan(0);
    });
  });
});
