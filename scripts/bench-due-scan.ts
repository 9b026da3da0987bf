/**
 * `npm run bench:due-scan`: how the scheduler's due scan behaves with millions of future posts.
 * Fills a throwaway database on the local PostgreSQL with N future targets (default 1,000,000) and
 * 1,000 due ones, then times PostTargetRepository.findDue pages and prints the query plan.
 * A figure to read, not a pass/fail test: `--targets 200000` for a quicker run.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  dueTargetsQuery,
  PostRepository,
  PostTargetRepository,
  runMigrations,
  TransactionRunner,
} from '@app/shared';

const index = process.argv.indexOf('--targets');
const futureTargets = index >= 0 ? Number(process.argv[index + 1]) : 1_000_000;
const dueTargets = 1_000;
const server = (process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@localhost:5432').replace(/\/+$/, '');
const name = `herald_bench_${randomBytes(4).toString('hex')}`;

const admin = await new DataSource({ type: 'postgres', url: `${server}/postgres` }).initialize();
await admin.query(`CREATE DATABASE "${name}"`);
const dataSource = await new DataSource(dataSourceOptions(`${server}/${name}`, 'herald-bench')).initialize();
try {
  await runMigrations(dataSource);
  const started = Date.now();
  const [{ id: workspaceId }] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`,
  );
  const [{ id: accountId }] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO social_accounts (workspace_id, platform, name, status) VALUES ($1, 'x', 'bench', 'active') RETURNING id`,
    [workspaceId],
  );
  // Future posts spread over a year, plus a due backlog; published history would not be scanned either.
  await dataSource.query(
    `WITH posts AS (
       INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
       SELECT $1, 'post ' || g,
              CASE WHEN g <= $3::int THEN now() - interval '1 minute' ELSE now() + (g * interval '30 seconds') END,
              21600, 'scheduled'
         FROM generate_series(1, $2::int + $3::int) g
       RETURNING id, publish_at)
     INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
     SELECT id, $4, 'x', 'scheduled', publish_at, publish_at FROM posts`,
    [workspaceId, futureTargets, dueTargets, accountId],
  );
  await dataSource.query('VACUUM ANALYZE post_targets');
  console.log(
    `filled ${futureTargets.toLocaleString()} future + ${dueTargets} due targets in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const transactions = new TransactionRunner(dataSource);
  const targets = new PostTargetRepository(dataSource, transactions, new PostRepository());
  const timings: number[] = [];
  for (let run = 0; run < 20; run++) {
    const t0 = process.hrtime.bigint();
    let page = await targets.findDue(500);
    let found = page.length;
    while (page.length === 500) {
      const last = page[page.length - 1];
      page = await targets.findDue(500, { dueAt: last.dueAt, id: last.id });
      found += page.length;
    }
    timings.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (found !== dueTargets) throw new Error(`found ${found} due targets, expected ${dueTargets}`);
  }
  timings.sort((a, b) => a - b);
  console.log(
    `full due scan (${dueTargets} due, pages of 500): p50 ${timings[10].toFixed(1)} ms, max ${timings[19].toFixed(1)} ms`,
  );
  const scan = dueTargetsQuery(500);
  const plan = await dataSource.query<{ 'QUERY PLAN': string }[]>(
    `EXPLAIN (ANALYZE, BUFFERS) ${scan.text}`,
    scan.values,
  );
  console.log(plan.map((row) => row['QUERY PLAN']).join('\n'));
} finally {
  await dataSource.destroy();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.destroy();
}
