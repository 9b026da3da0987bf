/**
 * Where `POST /v1/posts` spends its time (issue 10, measurement 4), as a tool rather than a figure:
 * runs the bench's backend alone under V8's sampling profiler (cpu-profile-hook.ts), counts the PostgreSQL
 * statements (log_statement) and Redis commands (MONITOR) of a few sequential creates, then loads it
 * from 50 clients: CPU per request of the backend, PostgreSQL and Redis, and PostgreSQL's planning and
 * execution time per statement (pg_stat_statements), and the profile's top entries.
 *
 *   npm run build && tsx scripts/bench/profile-api.ts [--seconds 10] [--out /tmp/herald-api-profile] [--plain]
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureApi } from './api-load.js';
import { newBenchWorkspace } from './burst.js';
import {
  captureTraffic,
  CPU_PROFILE_HOOK,
  CpuMeter,
  enableStatementStats,
  resetStatementStats,
  statementStats,
  postgresPids,
  redisPid,
  summarize,
  tally,
  type CpuProfile,
} from './profiling.js';
import { BenchStack } from './stack.js';
import { waitFor } from './stats.js';

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
  await enableStatementStats(stack);
  const profile = join(out, 'backend.cpuprofile');
  if (!values.plain)
    Object.assign(stack.environment, {
      NODE_OPTIONS: `--import tsx --import ${CPU_PROFILE_HOOK}`,
      HERALD_CPU_PROFILE: profile,
    });
  await stack.startApp('backend', 'backend');
  delete stack.environment.NODE_OPTIONS;
  const backend = stack.processes.get('backend')!.child;
  const owner = await newBenchWorkspace(stack, 'profile', 20);

  const { statements, commands } = await captureTraffic(stack, async () => {
    for (let n = 0; n < SAMPLED; n++) {
      const response = await owner.workspace.api.post('/v1/posts', {
        content: `profile #${n}`,
        publishAt: new Date(Date.now() + 86_400_000).toISOString(),
        accountIds: [owner.accountIds[n % owner.accountIds.length]],
      });
      if (response.status !== 201) throw new Error(`create answered ${response.status}`);
    }
  });
  console.log(
    `PostgreSQL statements per create: ${(statements.length / SAMPLED).toFixed(2)}\n${tally(statements, SAMPLED)}`,
  );
  console.log(`Redis commands per create: ${(commands.length / SAMPLED).toFixed(2)}\n${tally(commands, SAMPLED)}`);

  if (!values.plain) {
    backend.kill('SIGWINCH'); // the profile restarts: what follows is the load only
    await waitFor(() => Promise.resolve(existsSync(profile)), 10_000, 'the set-up profile');
    rmSync(profile);
  }
  const pids = { backend: [backend.pid!], postgres: await postgresPids(stack), redis: [await redisPid(stack)] };
  const cpu = new CpuMeter(pids);
  await resetStatementStats(stack);
  const load = await measureApi(owner, Number(values.seconds) * 1000, 50);
  console.log(await statementStats(stack, load.requests, /pg_stat_statements/));
  console.log(`CPU per request (ms), ${load.requests} requests: ${cpu.perOperation(load.requests)}`);
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
