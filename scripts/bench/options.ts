/** The flags of `npm run bench`: which measurements, at which sizes, with how many workers. */

export const MEASUREMENTS = [
  'throughput',
  'lag',
  'due-scan',
  'requeue-pass',
  'api',
  'recovery',
  'fairness',
  'scaling',
] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

export interface BenchOptions {
  quick: boolean;
  only: Measurement[];
  /** Measurement 1 and 7: posts due at one instant, over `accounts` accounts. */
  posts: number;
  accounts: number;
  /** Measurement 2: posts due within the same second. */
  lagPosts: number;
  /** Measurement 3: future targets in the big database (the small one holds 10,000). */
  futureTargets: number;
  /** Measurement 3b: waiting jobs a requeue pass goes over (compared with a tenth as many). */
  passJobs: number;
  /** Measurement 4: seconds of load on each side, and concurrent clients. */
  apiSeconds: number;
  apiClients: number;
  /** Measurement 5: due posts whose jobs a FLUSHALL removes. */
  recoveryPosts: number;
  /** Measurement 6: the big workspace's posts (the small one has 1). */
  fairnessPosts: number;
  workers: number;
  concurrency: number;
  /** Measurement 7: worker process counts. */
  scaling: number[];
}

const SIZES = {
  quick: {
    posts: 500,
    accounts: 100,
    lagPosts: 200,
    futureTargets: 100_000,
    passJobs: 20_000,
    apiSeconds: 5,
    recoveryPosts: 200,
    fairnessPosts: 300,
  },
  full: {
    posts: 10_000,
    accounts: 1_000,
    lagPosts: 2_000,
    futureTargets: 1_000_000,
    passJobs: 100_000,
    apiSeconds: 20,
    recoveryPosts: 10_000,
    fairnessPosts: 10_000,
  },
};

export const USAGE = `npm run bench [-- flags]
  --quick                 small sizes, about a minute (default: the full form, under ten minutes)
  --only a,b              run only these of: ${MEASUREMENTS.join(', ')}
                          (default: all; the quick form leaves out recovery and scaling)
  --posts N --accounts N  throughput burst (full 10,000 over 1,000 accounts)
  --lag-posts N           lag burst (full 2,000)
  --future-targets N      due-scan database size (full 1,000,000)
  --pass-jobs N           waiting jobs a requeue pass checks, beside a tenth as many (full 100,000)
  --api-seconds N --api-clients N    API load on each side (full 20 s, 50 clients)
  --recovery-posts N      posts due after a FLUSHALL (full 10,000)
  --fairness-posts N      the big workspace's burst (full 10,000)
  --workers N --concurrency N        worker processes and WORKER_CONCURRENCY (2 x 10)
  --scaling 1,2,4         worker counts for measurement 7`;

export function parseOptions(args: string[]): BenchOptions {
  const known = new Set([
    'quick',
    'only',
    'posts',
    'accounts',
    'lag-posts',
    'future-targets',
    'pass-jobs',
    'api-seconds',
    'api-clients',
    'recovery-posts',
    'fairness-posts',
    'workers',
    'concurrency',
    'scaling',
    'help',
  ]);
  for (const arg of args) {
    if (arg.startsWith('--') && !known.has(arg.slice(2))) throw new Error(`unknown flag ${arg}\n${USAGE}`);
  }
  const text = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const count = (name: string, fallback: number) => {
    const value = text(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer`);
    return number;
  };
  const quick = args.includes('--quick');
  const sizes = quick ? SIZES.quick : SIZES.full;
  // Recovery waits for a scheduler tick (a minute by default) and scaling restarts workers three times:
  // the quick form leaves both out unless --only names them.
  const only = (text('only')?.split(',') ??
    MEASUREMENTS.filter((m) => !quick || (m !== 'scaling' && m !== 'recovery'))) as Measurement[];
  const unknown = only.filter((m) => !MEASUREMENTS.includes(m));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')}\n${USAGE}`);
  return {
    quick,
    only,
    posts: count('posts', sizes.posts),
    accounts: count('accounts', sizes.accounts),
    lagPosts: count('lag-posts', sizes.lagPosts),
    futureTargets: count('future-targets', sizes.futureTargets),
    passJobs: count('pass-jobs', sizes.passJobs),
    apiSeconds: count('api-seconds', sizes.apiSeconds),
    apiClients: count('api-clients', 50),
    recoveryPosts: count('recovery-posts', sizes.recoveryPosts),
    fairnessPosts: count('fairness-posts', sizes.fairnessPosts),
    workers: count('workers', 2),
    concurrency: count('concurrency', 10),
    scaling: (text('scaling') ?? '1,2,4').split(',').map(Number),
  };
}
