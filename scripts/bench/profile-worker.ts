/**
 * Where a publish spends its time (issue 10, measurements 1 and 2), Herald's worker beside the floor,
 * as a tool rather than a figure. On the bench's stack (backend, 1,000 accounts):
 * 1. per publish, over a small burst (`--sample`): the PostgreSQL statements (log_statement) and the
 *    Redis commands (MONITOR, those a script ran inside Redis marked), floor then Herald;
 * 2. per publish, over a full burst (`--posts`): the CPU time of the worker processes, PostgreSQL (all
 *    its processes), Redis and the bench process (the emulator), from /proc, floor then Herald;
 * 3. Herald's burst again with each worker under V8's sampling profiler (cpu-profile-hook.ts): the top
 *    self and inclusive time.
 *
 *   npm run build && tsx scripts/bench/profile-worker.ts [--posts 10000] [--sample 200] [--out /tmp/herald-worker-profile]
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BenchWorkspace,
  type Burst,
  dueInstantFor,
  enqueueForHerald,
  insertBurst,
  newBenchWorkspace,
  refillPaceBuckets,
  settle,
  settleTimeoutMs,
} from './burst.js';
import { Floor } from './floor.js';
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
    posts: { type: 'string', default: '10000' },
    sample: { type: 'string', default: '200' },
    accounts: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '10' },
    out: { type: 'string', default: '/tmp/herald-worker-profile' },
  },
});
const [posts, sample, accounts, workers, concurrency] = [
  values.posts,
  values.sample,
  values.accounts,
  values.workers,
  values.concurrency,
].map(Number);
const out = values.out;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const log = (message: string) => console.log(`[profile ${new Date().toISOString().slice(11, 19)}] ${message}`);
/** The bench's own polling for the burst to settle, left out of the counts. */
const BENCH_POLLING = /count\(\*\)::int AS n FROM post_targets|SELECT p.content, p.publish_at, t.status/;

type Enqueue = (burst: Omit<Burst, 'createdAt'>) => Promise<Burst>;

const stack = await BenchStack.start(concurrency);
try {
  await enableStatementStats(stack);
  await stack.startApp('backend', 'backend');
  log(`creating ${accounts} accounts through the API`);
  const owner = await newBenchWorkspace(stack, 'profile', accounts);

  const floor = await Floor.start(stack, workers, concurrency);
  const toFloor: Enqueue = async (burst) => ({ ...burst, createdAt: await floor.enqueue(burst, () => burst.dueAt) });
  await measure('floor', owner, toFloor, floor.pids);
  await floor.stop();

  const workerNames = Array.from({ length: workers }, (_, n) => `worker-${n + 1}`);
  const toHerald: Enqueue = async (burst) => (await enqueueForHerald(stack, [burst]))[0];
  await Promise.all([stack.startApp('scheduler', 'scheduler'), stack.setWorkers(workers)]);
  await measure('herald', owner, toHerald, processPids(workerNames));

  log('restarting the workers under the sampling profiler');
  await stack.setWorkers(0);
  const profiles = workerNames.map((name) => join(out, `${name}.cpuprofile`));
  for (const [n, name] of workerNames.entries()) {
    await stack.startApp(name, 'worker', {
      NODE_OPTIONS: `--import tsx --import ${CPU_PROFILE_HOOK}`,
      HERALD_CPU_PROFILE: profiles[n],
    });
  }
  await dumpProfiles(workerNames, profiles); // start-up, thrown away: what follows is the burst only
  for (const profile of profiles) rmSync(profile);
  await burst('herald-profiled', owner, toHerald, posts);
  await dumpProfiles(workerNames, profiles);
  for (const [n, profile] of profiles.entries()) {
    console.log(`\n${workerNames[n]}: ${profile} (open in Chrome DevTools)`);
    console.log(summarize(JSON.parse(readFileSync(profile, 'utf8')) as CpuProfile));
  }
} finally {
  await stack.stop();
}

/** Counts per publish over a small burst, then CPU per publish over a full one. */
async function measure(label: string, owner: BenchWorkspace, enqueue: Enqueue, workerPids: number[]): Promise<void> {
  const burstOf = async (name: string, count: number) => {
    await refillPaceBuckets(stack);
    return enqueue(await insertBurst(stack, owner, { label: name, count, dueAt: dueInstantFor(count) }));
  };
  const small = await burstOf(`${label}-sample`, sample);
  const { statements, commands } = await captureTraffic(stack, async () => void (await settled(small)), BENCH_POLLING);
  const direct = commands.filter((command) => !command.startsWith('(in Lua)'));
  log(`${label}: PostgreSQL statements per publish ${(statements.length / sample).toFixed(2)}`);
  console.log(tally(statements, sample));
  log(
    `${label}: Redis commands per publish ${(commands.length / sample).toFixed(2)}, ` +
      `${(direct.length / sample).toFixed(2)} sent by clients`,
  );
  console.log(tally(commands, sample));

  const full = await burstOf(`${label}-burst`, posts);
  const cpu = new CpuMeter({
    workers: workerPids,
    postgres: await postgresPids(stack),
    redis: [await redisPid(stack)],
    others: processPids(['backend', 'scheduler']),
  });
  await resetStatementStats(stack);
  const outcome = await settled(full);
  log(
    `${label}: ${outcome.published}/${posts} published at ${outcome.perSecond.toFixed(0)}/s, ` +
      `lag p99 ${(outcome.lag.p99 / 1000).toFixed(2)} s; CPU ms per publish: ${cpu.perOperation(outcome.published)}`,
  );
  console.log(await statementStats(stack, outcome.published, BENCH_POLLING));
}

async function burst(name: string, owner: BenchWorkspace, enqueue: Enqueue, count: number): Promise<void> {
  await refillPaceBuckets(stack);
  const outcome = await settled(
    await enqueue(await insertBurst(stack, owner, { label: name, count, dueAt: dueInstantFor(count) })),
  );
  log(`${name}: ${outcome.published}/${count} published at ${outcome.perSecond.toFixed(0)}/s`);
}

async function settled(burst: Burst) {
  const outcome = await settle(stack, burst, settleTimeoutMs(burst.postIds.length));
  stack.emulator.reset();
  if (outcome.lost + outcome.duplicates + outcome.early > 0)
    throw new Error(`${burst.label}: ${JSON.stringify(outcome)}`);
  return outcome;
}

function processPids(names: string[]): number[] {
  return names.flatMap((name) => stack.processes.get(name)?.child.pid ?? []);
}

/** Has each worker write its profile so far (and start a new one), and waits for the files. */
async function dumpProfiles(names: string[], profiles: string[]): Promise<void> {
  for (const name of names) stack.processes.get(name)!.child.kill('SIGWINCH');
  for (const profile of profiles) {
    await waitFor(() => Promise.resolve(readable(profile)), 20_000, `the profile ${profile}`);
  }
}

/** Whether the profile is written to the end (the worker writes it while this process polls). */
function readable(profile: string): boolean {
  if (!existsSync(profile)) return false;
  try {
    JSON.parse(readFileSync(profile, 'utf8'));
    return true;
  } catch {
    return false;
  }
}
