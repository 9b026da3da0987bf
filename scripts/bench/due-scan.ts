import 'reflect-metadata';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  dueTargetsQuery,
  PostRepository,
  PostTargetRepository,
  runMigrations,
  TransactionRunner,
} from '@app/shared';
import { spread } from './stats.js';

const DUE_TARGETS = 1_000;
const SMALL = 10_000;
const PAGE = 500;

export interface DueScanFigures {
  dueTargets: number;
  small: { futureTargets: number; p50Ms: number; maxMs: number };
  large: { futureTargets: number; p50Ms: number; maxMs: number };
  ratio: number;
  plan: string;
}

/**
 * The scheduler's due scan (PostTargetRepository.findDue, paged as the scheduler pages) over 1,000 due
 * targets, with 10,000 future targets and then with `futureTargets`, in a throwaway migrated database.
 */
export async function measureDueScan(serverUrl: string, futureTargets: number): Promise<DueScanFigures> {
  const admin = await new DataSource({ type: 'postgres', url: serverUrl }).initialize();
  await admin.query('CREATE DATABASE herald_due_scan');
  const dataSource = await new DataSource(
    dataSourceOptions(serverUrl.replace(/\/postgres$/, '/herald_due_scan'), 'herald-bench'),
  ).initialize();
  try {
    await runMigrations(dataSource);
    const [{ id: workspaceId }] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`,
    );
    const [{ id: accountId }] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO social_accounts (workspace_id, platform, name, status) VALUES ($1, 'x', 'bench', 'active') RETURNING id`,
      [workspaceId],
    );
    const targets = new PostTargetRepository(dataSource, new TransactionRunner(dataSource), new PostRepository());
    // Future posts spread over a year from the first (g = 1..); the due ones are a backlog a minute old.
    const fill = async (from: number, to: number, due: number) => {
      await dataSource.transaction(async (manager) => {
        // The rows are valid by construction, and the database is thrown away: without the per-row
        // foreign-key and same-workspace triggers, the million-row fill takes a fraction of the time,
        // and the scan reads the same rows and index.
        await manager.query('SET LOCAL session_replication_role = replica');
        await manager.query(
          `WITH posts AS (
           INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
           SELECT $1, 'post ' || g,
                  CASE WHEN g <= $4::int THEN now() - interval '1 minute' ELSE now() + (g * interval '30 seconds') END,
                  21600, 'scheduled'
             FROM generate_series($2::int, $3::int) g
           RETURNING id, publish_at)
         INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
         SELECT id, $5, 'x', 'scheduled', publish_at, publish_at FROM posts`,
          [workspaceId, from, to, due, accountId],
        );
      });
      await dataSource.query('VACUUM ANALYZE post_targets');
    };
    const time = async () => {
      const timings: number[] = [];
      for (let run = 0; run < 20; run++) {
        const t0 = performance.now();
        let page = await targets.findDue(PAGE);
        let found = page.length;
        while (page.length === PAGE) {
          const last = page[page.length - 1];
          page = await targets.findDue(PAGE, { dueAt: last.dueAt, id: last.id });
          found += page.length;
        }
        timings.push(performance.now() - t0);
        if (found !== DUE_TARGETS) throw new Error(`found ${found} due targets, expected ${DUE_TARGETS}`);
      }
      const { p50, max } = spread(timings);
      return { p50Ms: p50, maxMs: max };
    };

    await fill(1, DUE_TARGETS + SMALL, DUE_TARGETS);
    const small = { futureTargets: SMALL, ...(await time()) };
    if (futureTargets > SMALL) await fill(DUE_TARGETS + SMALL + 1, DUE_TARGETS + futureTargets, DUE_TARGETS);
    const large = { futureTargets: Math.max(futureTargets, SMALL), ...(await time()) };
    const scan = dueTargetsQuery(PAGE);
    const plan = await dataSource.query<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS) ${scan.text}`,
      scan.values,
    );
    return {
      dueTargets: DUE_TARGETS,
      small,
      large,
      ratio: large.p50Ms / small.p50Ms,
      plan: plan.map((row) => row['QUERY PLAN']).join('\n'),
    };
  } finally {
    await dataSource.destroy();
    await admin.query('DROP DATABASE IF EXISTS herald_due_scan WITH (FORCE)');
    await admin.destroy();
  }
}
