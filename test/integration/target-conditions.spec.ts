import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  accountNotRateLimited,
  awaitingAttempt,
  dueBetween,
  dueBetweenQuery,
  dueTargetsQuery,
  expiredLeasesQuery,
  holdingLease,
  isClaimable,
  isDue,
  leaseLapsed,
  notPaused,
  PAUSED_RECHECK_SECONDS,
  reclaimable,
  sqlRows,
} from '@app/shared';
import { insertPost, openRepositories, workspaceWithAccounts, type Repositories } from '../support/repositories.js';

/** One target in each situation the conditions tell apart; times are relative to PostgreSQL's now(). */
const SITUATIONS = {
  scheduledDue: { status: 'scheduled', nextAttempt: '-1 minute' },
  queuedDue: { status: 'queued', nextAttempt: '-1 minute' },
  unknownToReconcile: { status: 'unknown', nextAttempt: '-1 minute' },
  scheduledLater: { status: 'scheduled', nextAttempt: '1 hour' },
  unknownUnverifiable: { status: 'unknown', nextAttempt: null },
  scheduledDueOnPausedAccount: { status: 'scheduled', nextAttempt: '-1 minute', paused: true },
  publishingLeaseLapsed: { status: 'publishing', lease: '-1 minute' },
  publishingLeaseHeld: { status: 'publishing', lease: '1 minute' },
  published: { status: 'published', nextAttempt: null },
  failedWithAStaleTime: { status: 'failed', nextAttempt: '-1 minute' },
  cancelled: { status: 'cancelled', nextAttempt: null },
  pendingApprovalWithAStaleTime: { status: 'pending_approval', nextAttempt: '-1 minute' },
  rejectedWithAStaleTime: { status: 'rejected', nextAttempt: '-1 minute' },
  scheduledDueOnSwitchedOffAccount: { status: 'scheduled', nextAttempt: '-1 minute', held: 'account' },
  scheduledLaterOnSwitchedOffAccount: { status: 'scheduled', nextAttempt: '1 hour', held: 'account' },
  unknownToReconcileInSwitchedOffWorkspace: { status: 'unknown', nextAttempt: '-1 minute', held: 'workspace' },
  publishingLeaseLapsedInSwitchedOffWorkspace: { status: 'publishing', lease: '-1 minute', held: 'workspace' },
} satisfies Record<
  string,
  { status: string; nextAttempt?: string | null; lease?: string; paused?: boolean; held?: 'account' | 'workspace' }
>;

type Situation = keyof typeof SITUATIONS;

const DUE: Situation[] = ['scheduledDue', 'queuedDue', 'unknownToReconcile'];
const LEASE_LAPSED: Situation[] = ['publishingLeaseLapsed'];
/** Held back by the kill switch: a pause of their account or of their whole workspace. */
const HELD: Situation[] = [
  'scheduledDueOnSwitchedOffAccount',
  'scheduledLaterOnSwitchedOffAccount',
  'unknownToReconcileInSwitchedOffWorkspace',
  'publishingLeaseLapsedInSwitchedOffWorkspace',
];

/** The conditions the publishing guarantees rest on select exactly the targets they are named for. */
describe('target conditions', () => {
  let repositories: Repositories;
  let pausedUntil: Date;

  beforeAll(async () => {
    repositories = await openRepositories();
  });

  afterAll(async () => {
    await repositories?.close();
  });

  /** A target in every situation, each on its own post; the situation's name is kept as the target's text. */
  async function targetsInEverySituation(): Promise<Map<Situation, string>> {
    const { workspaceId, accountIds } = await workspaceWithAccounts(repositories, 3);
    const [free, paused, switchedOff] = accountIds;
    const pausedWorkspace = await workspaceWithAccounts(repositories, 1);
    await repositories.sql.query(
      `INSERT INTO publishing_pauses (workspace_id, account_id, paused_by) VALUES ($1, $2, 'test'), ($3, NULL, 'test')`,
      [workspaceId, switchedOff, pausedWorkspace.workspaceId],
    );
    [{ rate_limited_until: pausedUntil }] = await sqlRows<{ rate_limited_until: Date }>(
      repositories.sql.manager,
      `UPDATE social_accounts SET rate_limited_until = now() + interval '1 hour' WHERE id = $1
       RETURNING rate_limited_until`,
      [paused],
    );
    const ids = new Map<Situation, string>();
    for (const [situation, shape] of Object.entries(SITUATIONS) as [Situation, (typeof SITUATIONS)[Situation]][]) {
      const held = 'held' in shape ? shape.held : null;
      const account =
        held === 'workspace'
          ? pausedWorkspace.accountIds[0]
          : held === 'account'
            ? switchedOff
            : 'paused' in shape
              ? paused
              : free;
      const { targetIds } = await insertPost(
        repositories,
        held === 'workspace' ? pausedWorkspace.workspaceId : workspaceId,
        [account],
      );
      await repositories.sql.query(
        `UPDATE post_targets
            SET content = $2, status = $3, next_attempt_at = now() + $4::interval, lease_expires_at = now() + $5::interval
          WHERE id = $1`,
        [
          targetIds[0],
          situation,
          shape.status,
          'nextAttempt' in shape ? shape.nextAttempt : null,
          'lease' in shape ? shape.lease : null,
        ],
      );
      ids.set(situation, targetIds[0]);
    }
    return ids;
  }

  describe('selecting targets', () => {
    let ids: Map<Situation, string>;

    beforeAll(async () => {
      ids = await targetsInEverySituation();
    });

    const situationsOf = (targetIds: string[]): Situation[] =>
      [...ids].filter(([, id]) => targetIds.includes(id)).map(([situation]) => situation);

    it.each([
      [
        'awaitingAttempt',
        awaitingAttempt,
        [
          ...DUE,
          'scheduledLater',
          'unknownUnverifiable',
          'scheduledDueOnPausedAccount',
          'scheduledDueOnSwitchedOffAccount',
          'scheduledLaterOnSwitchedOffAccount',
          'unknownToReconcileInSwitchedOffWorkspace',
        ],
      ],
      ['isDue', isDue, DUE],
      [
        'dueBetween (now, two hours)',
        (t: string) => dueBetween(t, 'now()', `now() + interval '2 hours'`),
        ['scheduledLater'],
      ],
      ['dueBetween (now, half an hour)', (t: string) => dueBetween(t, 'now()', `now() + interval '30 minutes'`), []],
      [
        'dueBetween (two minutes ago, two hours)',
        (t: string) => dueBetween(t, `now() - interval '2 minutes'`, `now() + interval '2 hours'`),
        [...DUE, 'scheduledLater'],
      ],
      ['accountNotRateLimited', accountNotRateLimited, Object.keys(SITUATIONS).filter((s) => !s.includes('Paused'))],
      ['notPaused', notPaused, Object.keys(SITUATIONS).filter((s) => !HELD.includes(s as Situation))],
      [
        'holdingLease',
        holdingLease,
        ['publishingLeaseLapsed', 'publishingLeaseHeld', 'publishingLeaseLapsedInSwitchedOffWorkspace'],
      ],
      ['leaseLapsed', leaseLapsed, [...LEASE_LAPSED, 'publishingLeaseLapsedInSwitchedOffWorkspace']],
      ['reclaimable', reclaimable, LEASE_LAPSED],
      ['isClaimable', isClaimable, [...DUE, ...LEASE_LAPSED]],
    ])('%s selects exactly its targets', async (_name, condition, expected) => {
      const rows = await repositories.sql.query<{ id: string }[]>(
        `SELECT id FROM post_targets t WHERE t.id = ANY($1::uuid[]) AND ${condition('t')}`,
        [[...ids.values()]],
      );
      expect(situationsOf(rows.map((row) => row.id)).sort()).toEqual([...expected].sort());
    });

    it('findDue, findDueBetween and findExpiredLeases return the due, the later and the lapsed targets', async () => {
      const due = await repositories.targets.findDue(100);
      expect(situationsOf(due.map((target) => target.id)).sort()).toEqual([...DUE].sort());
      const later = await repositories.targets.findDueBetween(new Date(), new Date(Date.now() + 2 * 3_600_000), 100);
      expect(situationsOf(later.map((target) => target.id))).toEqual(['scheduledLater']);
      const lapsed = await repositories.targets.findExpiredLeases(100);
      expect(situationsOf(lapsed.map((target) => target.id))).toEqual(LEASE_LAPSED);
    });

    it('whyUnclaimable says when each unclaimable target may be claimed', async () => {
      const why = async (situation: Situation) => repositories.targets.whyUnclaimable(ids.get(situation)!);
      const [later, held] = await repositories.sql.query<{ next_attempt_at: Date; lease_expires_at: Date }[]>(
        `SELECT next_attempt_at, lease_expires_at FROM post_targets WHERE id = ANY($1::uuid[]) ORDER BY status DESC`,
        [[ids.get('scheduledLater'), ids.get('publishingLeaseHeld')]],
      );
      expect(await why('scheduledDueOnPausedAccount')).toEqual({ status: 'scheduled', retryAt: pausedUntil });
      expect(await why('scheduledLater')).toEqual({ status: 'scheduled', retryAt: later.next_attempt_at });
      expect(await why('publishingLeaseHeld')).toEqual({ status: 'publishing', retryAt: held.lease_expires_at });
      expect(await why('unknownUnverifiable')).toEqual({ status: 'unknown', retryAt: null });
      expect(await why('published')).toEqual({ status: 'published', retryAt: null });
      expect(await why('failedWithAStaleTime')).toEqual({ status: 'failed', retryAt: null });
      expect(await why('pendingApprovalWithAStaleTime')).toEqual({ status: 'pending_approval', retryAt: null });
      expect(await why('rejectedWithAStaleTime')).toEqual({ status: 'rejected', retryAt: null });
    });

    it('whyUnclaimable parks a job the kill switch holds back, no sooner than PAUSED_RECHECK_SECONDS', async () => {
      const [{ now }] = await repositories.sql.query<{ now: Date }[]>(`SELECT now()`);
      const earliest = now.getTime() + PAUSED_RECHECK_SECONDS * 1000;
      for (const situation of [
        'scheduledDueOnSwitchedOffAccount',
        'unknownToReconcileInSwitchedOffWorkspace',
      ] as const) {
        const why = await repositories.targets.whyUnclaimable(ids.get(situation)!);
        expect(why?.retryAt?.getTime()).toBeGreaterThanOrEqual(earliest);
      }
      const [later] = await repositories.sql.query<{ next_attempt_at: Date }[]>(
        `SELECT next_attempt_at FROM post_targets WHERE id = $1`,
        [ids.get('scheduledLaterOnSwitchedOffAccount')],
      );
      expect(await repositories.targets.whyUnclaimable(ids.get('scheduledLaterOnSwitchedOffAccount')!)).toEqual({
        status: 'scheduled',
        retryAt: later.next_attempt_at,
      });
    });
  });

  it('claim takes exactly the claimable targets', async () => {
    const ids = await targetsInEverySituation();
    const claimed: Situation[] = [];
    for (const [situation, id] of ids) {
      if (await repositories.targets.claim(id, 30)) claimed.push(situation);
    }
    expect(claimed.sort()).toEqual([...DUE, ...LEASE_LAPSED].sort());
  });

  describe('the partial indexes the scans read', () => {
    it.each([
      ['post_targets_due_idx', awaitingAttempt],
      ['post_targets_lease_idx', holdingLease],
    ])('%s is restricted by exactly the named condition', async (index, condition) => {
      const runner = repositories.sql.createQueryRunner();
      await runner.startTransaction();
      try {
        await runner.query(
          `CREATE INDEX condition_probe ON post_targets (next_attempt_at) WHERE ${condition('post_targets')}`,
        );
        const predicates = await runner.manager.query<{ name: string; predicate: string }[]>(
          `SELECT indexrelid::regclass::text AS name, pg_get_expr(indpred, indrelid) AS predicate FROM pg_index
            WHERE indexrelid IN ($1::regclass, 'condition_probe'::regclass)`,
          [index],
        );
        expect(predicates).toHaveLength(2);
        expect(predicates[0].predicate).toBe(predicates[1].predicate);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });

    it.each([
      ['the due scan', 'post_targets_due_idx', dueTargetsQuery(500)],
      [
        'the lookahead scan',
        'post_targets_due_idx',
        dueBetweenQuery(new Date(), new Date(Date.now() + 3_600_000), 500),
      ],
      ['the lapsed-lease scan', 'post_targets_lease_idx', expiredLeasesQuery(500)],
    ])('%s reads %s', async (_name, index, scan) => {
      // With sequential scans priced out, the plan reads the index if and only if the planner can
      // prove the scan's WHERE implies the index's: the query the repository runs, not a copy.
      const plan = await repositories.transactions.run(async (tx) => {
        await tx.query(`SET LOCAL enable_seqscan = off`);
        return tx.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${scan.text}`, scan.values);
      });
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(index);
    });
  });
});
