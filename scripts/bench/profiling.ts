/**
 * What profile-api.ts and profile-worker.ts share: the PostgreSQL statements (log_statement) and Redis
 * commands (MONITOR) an action sends, the CPU time of the processes involved (/proc), and a summary
 * of a V8 CPU profile written by cpu-profile-hook.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchStack } from './stack.js';

/** Preload for a profiled Herald process: `--import tsx --import <this>` in its NODE_OPTIONS. */
export const CPU_PROFILE_HOOK = fileURLToPath(new URL('./cpu-profile-hook.ts', import.meta.url));

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
}

/** User + system CPU time a process has used so far (/proc/<pid>/stat, clock ticks of 10 ms); 0 once gone. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * CPU time of groups of processes from its creation on (a process started later counts from 0), and
 * of this process (the bench: the emulator and its polling).
 */
export class CpuMeter {
  private readonly start: Map<number, number>;
  private readonly benchStart = process.cpuUsage();
  private readonly startedAt = Date.now();

  constructor(private readonly groups: Record<string, number[]>) {
    this.start = new Map(Object.values(groups).flatMap((pids) => pids.map((pid) => [pid, cpuMs(pid)] as const)));
  }

  /** Milliseconds used per group since the start, the bench's own included, and the wall time. */
  used(): Record<string, number> {
    const figures: Record<string, number> = {};
    for (const [group, pids] of Object.entries(this.groups)) {
      figures[group] = pids.reduce((sum, pid) => sum + cpuMs(pid) - (this.start.get(pid) ?? 0), 0);
    }
    const bench = process.cpuUsage(this.benchStart);
    figures['bench (emulator)'] = (bench.user + bench.system) / 1000;
    figures.wall = Date.now() - this.startedAt;
    return figures;
  }

  /** `used()` per operation, one line. */
  perOperation(operations: number): string {
    return Object.entries(this.used())
      .map(([group, ms]) => `${group} ${(ms / operations).toFixed(2)}`)
      .join(', ');
  }
}

/** The private PostgreSQL's processes: the postmaster and every child (one per connection, and its helpers). */
export async function postgresPids(stack: BenchStack): Promise<number[]> {
  const { rows } = await stack.db.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
  const postmaster = Number(readFileSync(join(rows[0].dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

export async function redisPid(stack: BenchStack): Promise<number> {
  const redis = new Redis(stack.redis.url);
  try {
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
  } finally {
    redis.disconnect();
  }
}

/**
 * Loads pg_stat_statements (with planning time) into the stack's PostgreSQL: a restart, so before any
 * of Herald's apps connect.
 */
export async function enableStatementStats(stack: BenchStack): Promise<void> {
  const admin = new pg.Client({ connectionString: stack.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  } finally {
    await admin.end();
  }
  await stack.postgres.restart();
  // Known only once the library is loaded.
  await stack.db.query(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
  await stack.db.query(`SELECT pg_reload_conf()`);
  await stack.db.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`);
}

/** Forgets what pg_stat_statements gathered so far (see {@link enableStatementStats}). */
export async function resetStatementStats(stack: BenchStack): Promise<void> {
  await stack.db.query(`SELECT pg_stat_statements_reset()`);
}

/**
 * The statements that took PostgreSQL the most time since the reset, per `per` operations: calls,
 * planning + execution ms (time in the server, lock waits included), the statement's start.
 */
export async function statementStats(stack: BenchStack, per: number, ignore: RegExp): Promise<string> {
  const { rows } = await stack.db.query<{ calls: string; plan: number; exec: number; query: string }>(
    `SELECT calls, total_plan_time AS plan, total_exec_time AS exec, query FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_plan_time + total_exec_time DESC LIMIT 20`,
  );
  const own = rows.filter((row) => !ignore.test(row.query) && !row.query.includes('pg_stat_statements'));
  const total = own.reduce((sum, row) => sum + row.plan + row.exec, 0);
  return [
    `  calls  plan ms  exec ms  per ${per} operations (${(total / per).toFixed(3)} ms each in all)`,
    ...own.map(
      (row) =>
        `  ${(Number(row.calls) / per).toFixed(2).padStart(5)}  ${(row.plan / per).toFixed(3).padStart(7)}` +
        `  ${(row.exec / per).toFixed(3).padStart(7)}  ${row.query.replace(/\s+/g, ' ').slice(0, 110)}`,
    ),
  ].join('\n');
}

/** Counts per `per` operations of each distinct item, most frequent first, one per line. */
export function tally(items: string[], per: number): string {
  return [...items.reduce((counts, item) => counts.set(item, (counts.get(item) ?? 0) + 1), new Map<string, number>())]
    .sort((a, b) => b[1] - a[1])
    .map(([item, count]) => `  ${(count / per).toFixed(2)}  ${item}`)
    .join('\n');
}

/**
 * Every statement PostgreSQL executed and every command Redis received while `action` ran (Redis:
 * `(in Lua) ` before the commands a script ran inside the server). `ignore` drops the bench's own
 * statements (its polling).
 */
export async function captureTraffic(
  stack: BenchStack,
  action: () => Promise<void>,
  ignore?: RegExp,
): Promise<{ statements: string[]; commands: string[] }> {
  const { rows } = await stack.db.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
  const postgresLog = join(rows[0].dir, '..', 'log');
  await stack.db.query(`ALTER SYSTEM SET log_statement = 'all'`);
  await stack.db.query(`SELECT pg_reload_conf()`);
  const monitor = new Redis(stack.redis.url);
  const commands: string[] = [];
  const feed = await monitor.monitor();
  feed.on('monitor', (_time: string, args: string[], source: string) =>
    commands.push(`${source.includes('lua') ? '(in Lua) ' : ''}${args[0].toLowerCase()}`),
  );
  const logStart = readFileSync(postgresLog, 'utf8').length;
  try {
    await action();
  } finally {
    await stack.db.query(`ALTER SYSTEM RESET log_statement`);
    await stack.db.query(`SELECT pg_reload_conf()`);
    feed.disconnect();
    monitor.disconnect();
  }
  const statements = readFileSync(postgresLog, 'utf8')
    .slice(logStart)
    .split('\n')
    .filter((line) => / (statement|execute [^:]*): /.test(line) && !/pg_reload_conf|log_statement/.test(line))
    .filter((line) => !ignore?.test(line))
    .map((line) => line.replace(/^.*?(statement|execute [^:]*): /, '').slice(0, 90));
  return { statements, commands };
}

/**
 * Self time by package (node_modules/<name>, node:, Herald's own code, GC/idle) and by function, and
 * inclusive time by function (each function counted once per sample, wherever it is on the stack).
 */
export function summarize(profile: CpuProfile, rows = 30): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (id: number) => {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '');
    return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
  };
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^file:\/\//, '');
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
      (where.startsWith('node:') ? 'node:' + where.slice(5).split('/')[0] : where ? 'herald' : frame.functionName);
    add(functions, nameOf(id));
    add(packages, pkg);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(nameOf(at));
    for (const name of seen) add(inclusive, name);
  }
  const total = profile.samples.length;
  const top = (counts: Map<string, number>, n: number) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => `  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return (
    `self time by package:\n${top(packages, 25)}\nself time by function:\n${top(functions, rows)}\n` +
    `inclusive time by function:\n${top(inclusive, rows + 20)}`
  );
}
