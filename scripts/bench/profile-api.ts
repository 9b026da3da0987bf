/**
 * Where `POST /v1/posts` spends its time (issue 10, measurement 4), as a tool rather than a figure:
 * runs the bench's backend alone with V8's sampling profiler (`--prof`), counts the PostgreSQL
 * statements (log_statement) and Redis commands (MONITOR) of a few sequential creates, then loads it
 * from 50 clients. Read the profile with `node --prof-process <log>`.
 *
 *   npm run build && tsx scripts/bench/profile-api.ts [--seconds 10] [--out /tmp/herald-api-profile] [--plain]
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { measureApi } from './api-load.js';
import { newBenchWorkspace } from './burst.js';
import { BenchStack } from './stack.js';
import { waitFor } from './stats.js';

const HOOK = fileURLToPath(new URL('./cpu-profile-hook.ts', import.meta.url));

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
}

/** User + system CPU time a process has used so far (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Self time by function and by package (node_modules/<name>, node:, Herald's own code, GC/idle). */
function summarize(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)!;
    const where = frame.url.replace(/^file:\/\//, '');
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
      (where.startsWith('node:') ? 'node:' + where.slice(5).split('/')[0] : where ? 'herald' : frame.functionName);
    const name = `${frame.functionName || '(anonymous)'} ${where.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + 1);
    packages.set(pkg, (packages.get(pkg) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const top = (counts: Map<string, number>, n: number) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => `  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return `self time by package:\n${top(packages, 25)}\nself time by function:\n${top(functions, 40)}`;
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    out: { type: 'string', default: '/tmp/herald-api-profile' },
    // No sampling profiler: CPU time per request as the bench runs it.
    plain: { type: 'boolean', default: false },
  },
});
const out = values.out;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const SAMPLED = 20;

const stack = await BenchStack.start(10);
try {
  const profile = join(out, 'backend.cpuprofile');
  if (!values.plain)
    Object.assign(stack.environment, { NODE_OPTIONS: `--import tsx --import ${HOOK}`, HERALD_CPU_PROFILE: profile });
  await stack.startApp('backend', 'backend');
  delete stack.environment.NODE_OPTIONS;
  const backend = stack.processes.get('backend')!.child;
  const owner = await newBenchWorkspace(stack, 'profile', 20);

  const { rows } = await stack.db.query<{ data_directory: string }>(
    `SELECT current_setting('data_directory') AS data_directory`,
  );
  const postgresLog = join(rows[0].data_directory, '..', 'log');
  await stack.db.query(`ALTER SYSTEM SET log_statement = 'all'`);
  await stack.db.query(`SELECT pg_reload_conf()`);
  const monitor = new Redis(stack.redis.url);
  const commands: string[] = [];
  const feed = await monitor.monitor();
  feed.on('monitor', (_time: string, args: string[], source: string) =>
    commands.push(`${source.includes('lua') ? '(in Lua) ' : ''}${args[0].toLowerCase()}`),
  );
  const sampleStart = readFileSync(postgresLog, 'utf8').length;
  for (let n = 0; n < SAMPLED; n++) {
    const response = await owner.workspace.api.post('/v1/posts', {
      content: `profile #${n}`,
      publishAt: new Date(Date.now() + 86_400_000).toISOString(),
      accountIds: [owner.accountIds[n % owner.accountIds.length]],
    });
    if (response.status !== 201) throw new Error(`create answered ${response.status}`);
  }
  await stack.db.query(`ALTER SYSTEM RESET log_statement`);
  await stack.db.query(`SELECT pg_reload_conf()`);
  feed.disconnect();
  monitor.disconnect();
  const statements = readFileSync(postgresLog, 'utf8')
    .slice(sampleStart)
    .split('\n')
    .filter((line) => / (statement|execute [^:]*): /.test(line) && !/pg_reload_conf|log_statement/.test(line))
    .map((line) => line.replace(/^.*?(statement|execute [^:]*): /, '').slice(0, 90));
  const tally = (items: string[]) =>
    [...items.reduce((counts, item) => counts.set(item, (counts.get(item) ?? 0) + 1), new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .map(([item, count]) => `  ${(count / SAMPLED).toFixed(2)}  ${item}`)
      .join('\n');
  console.log(`PostgreSQL statements per create: ${(statements.length / SAMPLED).toFixed(2)}\n${tally(statements)}`);
  console.log(`Redis commands per create: ${(commands.length / SAMPLED).toFixed(2)}\n${tally(commands)}`);

  if (!values.plain) {
    backend.kill('SIGWINCH'); // the profile restarts: what follows is the load only
    await waitFor(() => Promise.resolve(existsSync(profile)), 10_000, 'the set-up profile');
    rmSync(profile);
  }
  const cpuBefore = cpuMs(backend.pid!);
  const load = await measureApi(owner, Number(values.seconds) * 1000, 50);
  const cpuPerRequest = (cpuMs(backend.pid!) - cpuBefore) / load.requests;
  console.log(`backend CPU per request: ${cpuPerRequest.toFixed(2)} ms`);
  console.log(
    `load: ${load.perSecond.toFixed(0)}/s p50 ${load.p50Ms.toFixed(0)} ms p99 ${load.p99Ms.toFixed(0)} ms, ${load.errors} errors`,
  );
  if (!values.plain) {
    backend.kill('SIGWINCH');
    await waitFor(() => Promise.resolve(existsSync(profile)), 10_000, 'the load profile');
    console.log(summarize(JSON.parse(readFileSync(profile, 'utf8')) as CpuProfile));
    console.log(`profile: ${profile} (open in Chrome DevTools)`);
  }
} finally {
  await stack.stop();
}
