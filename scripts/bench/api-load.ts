import { Queue } from 'bullmq';
import pg from 'pg';
import { publishJobOptions, PUBLISH_TARGET_JOB } from '@app/shared';
import type { BenchWorkspace } from './burst.js';
import type { BenchStack } from './stack.js';
import { loadFor, spread } from './stats.js';

export interface LoadFigures {
  requests: number;
  clients: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const tomorrow = () => new Date(Date.now() + 86_400_000);

/** `POST /v1/posts` for `durationMs` from `clients` concurrent clients on one API key, one account per post. */
export async function measureApi(owner: BenchWorkspace, durationMs: number, clients: number): Promise<LoadFigures> {
  let errors = 0;
  const publishAt = tomorrow().toISOString();
  const load = await loadFor(durationMs, clients, async (n) => {
    const response = await owner.workspace.api.post('/v1/posts', {
      content: `bench api #${n}`,
      publishAt,
      accountIds: [owner.accountIds[n % owner.accountIds.length]],
    });
    if (response.status !== 201) errors++;
  });
  return figures(load, clients, errors);
}

/**
 * The baseline: the same writes with nothing else, at the same concurrency: a post and its target in
 * one transaction on a pool as large as the backend's (10), then one BullMQ add of the delayed job.
 */
export async function measureBareInsert(
  stack: BenchStack,
  owner: BenchWorkspace,
  durationMs: number,
  clients: number,
): Promise<LoadFigures> {
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 10 });
  const queue = new Queue('bench-bare-insert', { prefix: 'herald', connection: { url: stack.redis.url } });
  const publishAt = tomorrow();
  let errors = 0;
  try {
    const load = await loadFor(durationMs, clients, async (n) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const post = await client.query<{ id: string }>(
          `INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
           VALUES ($1, $2, $3, 3600, 'scheduled') RETURNING id`,
          [owner.workspace.id, `bench bare #${n}`, publishAt],
        );
        const target = await client.query<{ id: string }>(
          `INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
           VALUES ($1, $2, 'x', 'scheduled', $3, $3) RETURNING id`,
          [post.rows[0].id, owner.accountIds[n % owner.accountIds.length], publishAt],
        );
        await client.query('COMMIT');
        const id = target.rows[0].id;
        await queue.add(PUBLISH_TARGET_JOB, { targetId: id }, publishJobOptions(id, publishAt, 1));
      } catch {
        errors++;
        await client.query('ROLLBACK').catch(() => undefined);
      } finally {
        client.release();
      }
    });
    return figures(load, clients, errors);
  } finally {
    // The baseline's rows are not Herald's: remove them so no worker ever finds them due.
    await pool.query(`DELETE FROM posts WHERE workspace_id = $1 AND content LIKE 'bench bare #%'`, [
      owner.workspace.id,
    ]);
    await pool.end();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

function figures(load: { durations: number[]; seconds: number }, clients: number, errors: number): LoadFigures {
  const { p50, p99 } = spread(load.durations);
  const requests = load.durations.length;
  return {
    requests,
    clients,
    seconds: load.seconds,
    perSecond: requests / load.seconds,
    p50Ms: p50,
    p99Ms: p99,
    errors,
  };
}
