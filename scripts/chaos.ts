/**
 * `npm run chaos` (after `npm run build`): proves Herald's promise under fire. Starts its own
 * PostgreSQL and Redis, the X emulator, a backend, 3 workers and 2 schedulers as real processes,
 * schedules posts over a few minutes and meanwhile, at random (seeded): SIGKILLs and restarts workers
 * and schedulers, flushes and restarts Redis, restarts PostgreSQL, makes X answer 429/503/timeouts or
 * drop connections, and cancels and reschedules posts. Then it reports, from the emulator's record
 * and the database: lost, duplicated, cancelled-but-published and early posts, `unknown` left over,
 * and the on-time rate. Exits 1 unless lost, duplicates, cancelled-but-published and early are all 0.
 *
 *   npm run chaos                       # 2,000 posts over 4 minutes
 *   npm run chaos -- --short            # 300 posts over 1 minute (what .ci/run runs)
 *   npm run chaos -- --posts 500 --minutes 2 --seed 7
 */
import pg from 'pg';
import { startXEmulator, type XFault } from '../emulators/x/x-emulator.js';
import { ApiClient } from '../test/support/api-client.js';
import { newAccount, newWorkspace } from '../test/support/factories.js';
import { WRONG_OUTCOME_EVENTS } from '../test/support/outbox-check.js';
import { PrivatePostgres, PrivateRedis } from '../test/support/private-services.js';
import { freePort, HeraldProcess, type HeraldApp } from '../test/support/processes.js';
import { deployedEnvironment } from '../test/support/test-environment.js';

interface Options {
  posts: number;
  windowMs: number;
  seed: number;
  short: boolean;
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? Number(args[index + 1]) : undefined;
  };
  const short = args.includes('--short');
  return {
    short,
    posts: value('posts') ?? (short ? 300 : 2_000),
    windowMs: (value('minutes') ?? (short ? 1 : 4)) * 60_000,
    seed: value('seed') ?? (short ? 42 : Date.now() % 100_000),
  };
}

/** mulberry32: a tiny seeded generator, so a run can be replayed with --seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);

const options = parseOptions(process.argv.slice(2));
const rand = random(options.seed);
const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];
log(`seed ${options.seed}: ${options.posts} posts over ${options.windowMs / 60_000} min`);

const postgres = await PrivatePostgres.start();
const databaseUrl = await postgres.createDatabase('herald');
const redis = await PrivateRedis.start();
const emulator = await startXEmulator({ host: '127.0.0.1' });
const port = await freePort();
const environment: Record<string, string> = {
  ...deployedEnvironment({ databaseUrl, redisUrl: redis.url, xApiBaseUrl: emulator.url, port }),
  WORKER_CONCURRENCY: '10',
  SCHEDULER_CRON: '*/2 * * * * *',
  PLATFORM_TIMEOUT_MS: '2000',
  PUBLISH_LEASE_SECONDS: '5',
  PUBLISH_MAX_ATTEMPTS: '10',
  RETRY_BASE_DELAY_MS: '500',
};

const processes = new Map<string, HeraldProcess>();
const startApp = async (name: string, app: HeraldApp) =>
  processes.set(name, await HeraldProcess.start(app, environment));
await startApp('backend', 'backend');
await Promise.all([
  startApp('worker-1', 'worker'),
  startApp('worker-2', 'worker'),
  startApp('worker-3', 'worker'),
  startApp('scheduler-1', 'scheduler'),
  startApp('scheduler-2', 'scheduler'),
]);

const api = new ApiClient(`http://127.0.0.1:${port}`);
const workspace = await newWorkspace(api, 'Chaos');
const accounts: string[] = [];
for (let i = 0; i < 40; i++) accounts.push((await newAccount(workspace, `chaos-${options.seed}-${i}`)).id);

/** Retries an API call through outages; the Idempotency-Key makes a retried create safe. */
async function call(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await workspace.api.request<{ id?: string }>(method, path, body, headers);
      if (response.status < 500 || attempt >= 30) return response;
    } catch (error) {
      if (attempt >= 30) throw error;
    }
    await sleep(500);
  }
}

const firstAt = Date.now() + 15_000;
const lastAt = firstAt + options.windowMs;
log('scheduling posts');
const postIds: string[] = [];
for (let i = 0; i < options.posts; i += 10) {
  const batch = Array.from({ length: Math.min(10, options.posts - i) }, (_, j) => i + j);
  const created = await Promise.all(
    batch.map((n) =>
      call(
        'POST',
        '/v1/posts',
        {
          content: `Chaos ${options.seed} #${n}`,
          publishAt: new Date(firstAt + rand() * options.windowMs).toISOString(),
          accountIds: [pick(accounts)],
        },
        { 'idempotency-key': `chaos-${options.seed}-${n}` },
      ),
    ),
  );
  for (const response of created) {
    if (response.status !== 201 || !response.body.id) {
      throw new Error(`could not schedule: ${response.status} ${JSON.stringify(response.body)}`);
    }
    postIds.push(response.body.id);
  }
}
log(`scheduled ${postIds.length} posts between +15 s and +${Math.round((lastAt - Date.now()) / 1000)} s`);

/** Periods when a dependency was down or degraded on purpose: lateness there is expected. */
const outages: { from: number; to: number; what: string }[] = [];
const outage = async (what: string, graceMs: number, act: () => Promise<void>) => {
  const from = Date.now();
  await act();
  outages.push({ from, to: Date.now() + graceMs, what });
  log(what);
};

const restartLater = (name: string, app: HeraldApp) =>
  void sleep(1_000 + rand() * 2_000)
    .then(() => startApp(name, app))
    .catch((error: unknown) => log(`could not restart ${name} yet: ${(error as Error).message.split('\n')[0]}`));

const xFault = (fault: XFault, what: string) =>
  outage(what, 5_000, () => Promise.resolve(emulator.failNext({ endpoint: 'createTweet', ...fault })));

const futurePosts = async (count: number) => {
  const { rows } = await query<{ id: string }>(
    `SELECT id FROM posts WHERE status = 'scheduled' AND publish_at > now() + interval '5 seconds' ORDER BY random() LIMIT $1`,
    [count],
  );
  return rows.map((row) => row.id);
};

const actions: Record<string, () => Promise<void>> = {
  'kill a worker': async () => {
    const name = pick(['worker-1', 'worker-2', 'worker-3']);
    // Not an outage: the other workers carry on. Only the killed worker's in-flight posts wait for
    // BullMQ's stall check, and they count against the on-time rate.
    await processes.get(name)?.kill('SIGKILL');
    log(`SIGKILL ${name}`);
    restartLater(name, 'worker');
  },
  'kill a scheduler': async () => {
    const name = pick(['scheduler-1', 'scheduler-2']);
    await processes.get(name)?.kill('SIGKILL');
    log(`SIGKILL ${name}`);
    restartLater(name, 'scheduler');
  },
  'flush Redis': () => outage('FLUSHALL on Redis', 5_000, () => redis.flushAll()),
  'restart Redis': () => outage('Redis restarted (every job lost)', 5_000, () => redis.restart()),
  'restart PostgreSQL': () => outage('PostgreSQL restarted', 8_000, () => postgres.restart()),
  'X answers 429': () => xFault({ status: 429, resetInSeconds: 2, count: 3 }, 'X answers 429 (reset in 2 s)'),
  'X answers 503': () => xFault({ status: 503, count: 4, afterRecord: rand() < 0.5 }, 'X answers 503'),
  'X times out': () => xFault({ delayMs: 3_000, count: 3, afterRecord: rand() < 0.5 }, 'X times out'),
  'X drops connections': () =>
    xFault({ dropConnection: true, count: 3, afterRecord: rand() < 0.5 }, 'X drops connections'),
  'cancel posts': async () => {
    const ids = await futurePosts(Math.ceil(options.posts / 100));
    for (const id of ids) await call('DELETE', `/v1/posts/${id}`);
    log(`cancelled ${ids.length} posts`);
  },
  'reschedule posts': async () => {
    const ids = await futurePosts(Math.ceil(options.posts / 100));
    for (const id of ids) {
      const publishAt = new Date(Date.now() + 10_000 + rand() * 20_000).toISOString();
      await call('PATCH', `/v1/posts/${id}`, { publishAt });
    }
    log(`rescheduled ${ids.length} posts`);
  },
};

// A pool, so the script's own reads survive the PostgreSQL restarts it causes.
const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
db.on('error', () => undefined);
async function query<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.query<Row>(sql, values);
    } catch (error) {
      if (attempt >= 60) throw error;
      await sleep(500);
    }
  }
}

// In the short form every kind of fault happens once, in a seeded order; the full run draws at random.
const names = Object.keys(actions);
const schedule = options.short ? [...names].sort(() => rand() - 0.5) : [];
let round = 0;
while (Date.now() < lastAt) {
  const name = options.short ? schedule[round % schedule.length] : pick(names);
  round++;
  try {
    await actions[name]();
  } catch (error) {
    log(`${name} failed: ${(error as Error).message}`);
  }
  await sleep(options.short ? options.windowMs / names.length : 2_000 + rand() * 4_000);
}
log('faults over; letting every post settle');
for (const name of ['worker-1', 'worker-2', 'worker-3', 'scheduler-1', 'scheduler-2']) {
  if (!processes.get(name)?.alive) await startApp(name, name.startsWith('worker') ? 'worker' : 'scheduler');
}

const SETTLED = `status IN ('published', 'failed', 'cancelled', 'missed') OR (status = 'unknown' AND next_attempt_at IS NULL)`;
const deadline = Date.now() + 180_000;
for (;;) {
  const { rows } = await query<{ n: number }>(`SELECT count(*)::int AS n FROM post_targets WHERE NOT (${SETTLED})`);
  if (rows[0].n === 0 || Date.now() > deadline) break;
  await sleep(2_000);
}

const { rows } = await query<{ id: string; content: string; publish_at: Date; status: string; target: string }>(
  `SELECT p.id, p.content, p.publish_at, p.status, t.status AS target FROM posts p JOIN post_targets t ON t.post_id = p.id`,
);
const tweetsByText = new Map<string, number[]>();
for (const tweet of emulator.tweets) {
  tweetsByText.set(tweet.text, [...(tweetsByText.get(tweet.text) ?? []), tweet.receivedAt.getTime()]);
}
const inOutage = (at: number) => outages.some((window) => at >= window.from && at <= window.to);
const report = {
  posts: rows.length,
  published: 0,
  lost: 0,
  duplicates: 0,
  cancelledButPublished: 0,
  early: 0,
  unknown: 0,
  failed: 0,
  missed: 0,
  cancelled: 0,
};
let onTime = 0;
let judged = 0;
const lateness: number[] = [];
for (const row of rows) {
  const seen = tweetsByText.get(row.content) ?? [];
  const dueAt = row.publish_at.getTime();
  if (row.target === 'cancelled') report.cancelled++;
  if (row.target === 'unknown') report.unknown++;
  if (row.target === 'failed') report.failed++;
  if (row.target === 'missed') report.missed++;
  if (row.target === 'cancelled' && seen.length > 0) report.cancelledButPublished++;
  if (row.target !== 'cancelled' && seen.length === 0) report.lost++;
  if (seen.length > 1) report.duplicates++;
  if (seen.some((at) => at < dueAt)) report.early++;
  if (seen.length > 0) report.published++;
  if (seen.length > 0) lateness.push(seen[0] - dueAt);
  if (seen.length > 0 && !inOutage(dueAt)) {
    judged++;
    if (seen[0] - dueAt <= 5_000) onTime++;
  }
}
const outcomeEventsWrong = (await query(WRONG_OUTCOME_EVENTS, [null])).rows.length;
const onTimeRate = judged === 0 ? 1 : onTime / judged;
lateness.sort((a, b) => a - b);
const percentile = (p: number) =>
  `${((lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] ?? 0) / 1000).toFixed(1)} s`;
console.log('\nChaos report');
console.table({
  ...report,
  'outcome events wrong': outcomeEventsWrong,
  'on time (≤5 s late, outside outages)': `${(onTimeRate * 100).toFixed(1)}% of ${judged}`,
  'lateness p50 / p95 / max': `${percentile(0.5)} / ${percentile(0.95)} / ${percentile(1)}`,
});
console.log(
  `faults: ${outages.length} outages (${[...new Set(outages.map((o) => o.what.split(' (')[0]))].join(', ')})`,
);
console.log(JSON.stringify({ seed: options.seed, ...report, outcomeEventsWrong, onTimeRate }));

for (const child of processes.values()) await child.kill('SIGKILL');
await db.end();
await emulator.close();
await redis.destroy();
await postgres.destroy();

const held =
  report.lost === 0 &&
  report.duplicates === 0 &&
  report.cancelledButPublished === 0 &&
  report.early === 0 &&
  outcomeEventsWrong === 0;
console.log(held ? 'CHAOS TARGETS HELD' : 'CHAOS TARGETS MISSED');
process.exit(held ? 0 : 1);
