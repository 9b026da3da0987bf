import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  POST_QUEUE,
  PUBLISH_TARGET_JOB,
  publishJobOptions,
  ranksWithinGroups,
  type PublishTargetJob,
} from '@app/shared';
import { ApiClient } from '../../test/support/api-client.js';
import { newAccount, newWorkspace, type TestWorkspace } from '../../test/support/factories.js';
import type { BenchStack } from './stack.js';
import { inParallel, spread, type Spread, waitFor } from './stats.js';

/** A workspace with its accounts, made through the API as a person would. */
export interface BenchWorkspace {
  workspace: TestWorkspace;
  accountIds: string[];
}

export async function newBenchWorkspace(stack: BenchStack, name: string, accounts: number): Promise<BenchWorkspace> {
  const workspace = await newWorkspace(new ApiClient(stack.apiUrl), name);
  const accountIds: string[] = [];
  await inParallel(accounts, 20, async (n) => {
    accountIds.push((await newAccount(workspace, `bench-${name}-${n}`)).id);
  });
  return { workspace, accountIds };
}

export interface Burst {
  label: string;
  dueAt: Date;
  postIds: string[];
  /** Target ids, for the jobs. */
  targetIds: string[];
  /** When creating the posts and their jobs finished. */
  createdAt: Date;
}

/**
 * Writes `count` posts the way the API does (a post and its target per post, the workspace's default
 * lateness) in one SQL statement, spread round-robin over the accounts, due at `dueAt` (plus up to
 * `spreadMs`, deterministic per post). SQL rather than the API because the API itself is measured
 * separately (measurement 4) and 10,000 creations through it would take longer than the burst.
 */
export async function insertBurst(
  stack: BenchStack,
  owner: BenchWorkspace,
  options: { label: string; count: number; dueAt: Date; spreadMs?: number },
): Promise<Omit<Burst, 'createdAt'>> {
  const { rows } = await stack.db.query<{ post_id: string; target_id: string }>(
    `WITH new_posts AS (
       INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
       SELECT $1, $2 || ' #' || g,
              $3::timestamptz + ((g::bigint * 7919) % $4) * interval '1 millisecond',
              w.default_max_lateness_seconds, 'scheduled'
         FROM generate_series(1, $5::int) g, workspaces w WHERE w.id = $1
       RETURNING id, publish_at, content)
     INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
     SELECT p.id, ($6::uuid[])[1 + (split_part(p.content, '#', 2)::int % cardinality($6::uuid[]))], 'x',
            'scheduled', p.publish_at, p.publish_at
       FROM new_posts p
     RETURNING post_id, id AS target_id`,
    [owner.workspace.id, options.label, options.dueAt, options.spreadMs ?? 1, options.count, owner.accountIds],
  );
  return {
    label: options.label,
    dueAt: options.dueAt,
    postIds: rows.map((row) => row.post_id),
    targetIds: rows.map((row) => row.target_id),
  };
}

/**
 * The jobs Herald's API adds (PostQueue.schedule's options: delayed to the due instant, prioritized by
 * each target's rank within its workspace), in batches of 500.
 */
export async function enqueueForHerald(stack: BenchStack, bursts: Omit<Burst, 'createdAt'>[]): Promise<Burst[]> {
  const queue = new Queue<PublishTargetJob>(POST_QUEUE, { prefix: 'herald', connection: { url: stack.redis.url } });
  try {
    const targets = await stack.db.query<{ id: string; due_at: Date; workspace_id: string }>(
      `SELECT t.id, t.due_at, p.workspace_id FROM post_targets t JOIN posts p ON p.id = t.post_id
        WHERE t.id = ANY($1::uuid[]) ORDER BY t.due_at, t.id`,
      [bursts.flatMap((burst) => burst.targetIds)],
    );
    const ranks = ranksWithinGroups(targets.rows, (row) => row.workspace_id);
    for (let i = 0; i < targets.rows.length; i += 500) {
      await queue.addBulk(
        targets.rows.slice(i, i + 500).map((row, n) => ({
          name: PUBLISH_TARGET_JOB,
          data: { targetId: row.id },
          opts: publishJobOptions(row.id, row.due_at, ranks[i + n]),
        })),
      );
    }
    const createdAt = new Date();
    return bursts.map((burst) => ({ ...burst, createdAt }));
  } finally {
    await queue.close();
  }
}

/** How far ahead dueInstantFor puts a burst, as printed with the settings. */
export const DUE_LEAD = 'the next whole second after 2 s + 0.6 ms per post';

/**
 * A due instant far enough ahead that writing `count` posts and jobs finishes first (see DUE_LEAD):
 * 10,000 took 4 s on 2 cores at a load average of 12, and each burst logs how long before due it was
 * ready, so a longer lead than that only lengthens the run.
 */
export const dueInstantFor = (count: number) => new Date(Math.ceil((Date.now() + 2_000 + count * 0.6) / 1000) * 1000);

export interface BurstOutcome {
  posts: number;
  published: number;
  /** Posts that ended neither published nor deliberately given up on (missed, failed). */
  lost: number;
  duplicates: number;
  early: number;
  missed: number;
  failed: number;
  /** Posts per second from the due time to the last published row. */
  perSecond: number;
  /** From the due time to the last published row. */
  seconds: number;
  /** Emulator receive time minus due time, ms. */
  lag: Spread;
  /** Whether creation finished after the due instant (the burst then is not a clean 09:00 burst). */
  creationOverran: boolean;
}

const SETTLED = `t.status IN ('published', 'failed', 'cancelled', 'missed') OR (t.status = 'unknown' AND t.next_attempt_at IS NULL)`;

/** Waits until every target of the burst settled (or `timeoutMs`), then judges it from the emulator's record. */
export async function settle(stack: BenchStack, burst: Burst, timeoutMs: number): Promise<BurstOutcome> {
  await waitFor(
    async () => {
      const { rows } = await stack.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM post_targets t WHERE t.post_id = ANY($1::uuid[]) AND NOT (${SETTLED})`,
        [burst.postIds],
      );
      return rows[0].n === 0;
    },
    timeoutMs,
    `${burst.label}: every post settled`,
  ).catch((error: unknown) => console.log(`  ! ${(error as Error).message}`));
  return judge(stack, burst);
}

export async function judge(stack: BenchStack, burst: Burst): Promise<BurstOutcome> {
  const { rows } = await stack.db.query<{ content: string; publish_at: Date; status: string; published_at: Date }>(
    `SELECT p.content, p.publish_at, t.status, t.published_at
       FROM posts p JOIN post_targets t ON t.post_id = p.id WHERE p.id = ANY($1::uuid[])`,
    [burst.postIds],
  );
  const received = new Map<string, number[]>();
  for (const tweet of stack.emulator.tweets) {
    if (tweet.text.startsWith(`${burst.label} #`)) {
      received.set(tweet.text, [...(received.get(tweet.text) ?? []), tweet.receivedAt.getTime()]);
    }
  }
  const outcome = { posts: rows.length, published: 0, lost: 0, duplicates: 0, early: 0, missed: 0, failed: 0 };
  const lags: number[] = [];
  let lastPublished = burst.dueAt.getTime();
  for (const row of rows) {
    const seen = received.get(row.content) ?? [];
    const due = row.publish_at.getTime();
    if (row.status === 'missed') outcome.missed++;
    if (row.status === 'failed') outcome.failed++;
    if (seen.length === 0 && row.status !== 'missed' && row.status !== 'failed') outcome.lost++;
    if (seen.length > 1) outcome.duplicates++;
    if (seen.some((at) => at < due)) outcome.early++;
    if (seen.length > 0) {
      outcome.published++;
      lags.push(seen[0] - due);
    }
    if (row.published_at) lastPublished = Math.max(lastPublished, row.published_at.getTime());
  }
  const seconds = (lastPublished - burst.dueAt.getTime()) / 1000;
  return {
    ...outcome,
    seconds,
    perSecond: seconds > 0 ? outcome.published / seconds : 0,
    lag: spread(lags),
    creationOverran: burst.createdAt > burst.dueAt,
  };
}

/** Limit on waiting for a burst: generous, so a slow app is reported rather than cut short. */
export const settleTimeoutMs = (count: number) => 90_000 + count * 60;

/**
 * Empties the pacing buckets (the worker's `<prefix>:pace:*` keys) before each burst, as if each
 * measurement ran on a day of its own: X's documented app limit (X_APP_PACE, 10,000 posts per 24 h)
 * would otherwise hold every post after measurement 1's 10,000 for a day.
 */
export async function refillPaceBuckets(stack: BenchStack): Promise<void> {
  const redis = new Redis(stack.redis.url);
  try {
    const keys = await redis.keys(`${stack.environment.QUEUE_PREFIX ?? 'herald'}:pace:*`);
    if (keys.length > 0) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}
