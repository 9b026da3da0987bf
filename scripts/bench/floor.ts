import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { publishJobOptions, PUBLISH_TARGET_JOB } from '@app/shared';
import { NOOP_JOB, type FloorWorkerSettings } from './floor-contract.js';
import type { Burst } from './burst.js';
import type { BenchStack } from './stack.js';
import { sleep, waitFor } from './stats.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./floor-worker.ts', import.meta.url));

/** `processes` floor workers, each with `concurrency`, on a queue of their own. */
export class Floor {
  private constructor(
    private readonly children: ChildProcess[],
    readonly queue: Queue,
  ) {}

  /** The worker processes' ids, for their CPU time. */
  get pids(): number[] {
    return this.children.map((child) => child.pid!);
  }

  static async start(stack: BenchStack, processes: number, concurrency: number): Promise<Floor> {
    const name = 'bench-floor';
    const settings: FloorWorkerSettings = {
      queue: name,
      redisUrl: stack.redis.url,
      databaseUrl: stack.databaseUrl,
      emulatorUrl: stack.emulator.url,
      concurrency,
    };
    const children = await Promise.all(
      Array.from({ length: processes }, () => startChild(settings, stack.environment.NODE_EXTRA_CA_CERTS)),
    );
    return new Floor(children, new Queue(name, { prefix: 'herald', connection: { url: stack.redis.url } }));
  }

  /** The same jobs Herald gets (id, delay to the instant, options), on the floor's queue. */
  async enqueue(burst: Omit<Burst, 'createdAt'>, dueOf: (targetId: string) => Date): Promise<Date> {
    for (let i = 0; i < burst.targetIds.length; i += 500) {
      await this.queue.addBulk(
        burst.targetIds.slice(i, i + 500).map((targetId) => ({
          name: PUBLISH_TARGET_JOB,
          data: { targetId },
          opts: publishJobOptions(targetId, dueOf(targetId), 1),
        })),
      );
    }
    return new Date();
  }

  /** Raw BullMQ: jobs per second from `dueAt` to the last of `count` no-op jobs delayed to it finishing. */
  async noopRate(count: number, dueAt: Date, timeoutMs: number): Promise<number> {
    for (let i = 0; i < count; i += 500) {
      await this.queue.addBulk(
        Array.from({ length: Math.min(500, count - i) }, (_, n) => ({
          name: NOOP_JOB,
          data: {},
          opts: { ...publishJobOptions(`noop-${i + n}`, dueAt, 1), removeOnComplete: false },
        })),
      );
    }
    await waitFor(async () => (await this.queue.getJobCounts('completed')).completed >= count, timeoutMs, 'no-op jobs');
    const jobs = await this.queue.getJobs(['completed'], 0, count);
    const last = Math.max(...jobs.map((job) => job.finishedOn ?? 0));
    await this.queue.clean(0, count, 'completed');
    return count / Math.max(0.001, (last - dueAt.getTime()) / 1000);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await this.queue.obliterate({ force: true });
    await this.queue.close();
  }
}

/**
 * A bench process of its own (`script`, run through tsx with `settings` as one JSON argument), once it
 * printed `ready`; resolves with it and what it printed.
 */
export async function startBenchChild(
  script: string,
  settings: object,
  ready: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(settings)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${script} did not start: ${output}`);
    await sleep(50);
  }
  return { child, output };
}

async function startChild(settings: FloorWorkerSettings, caCerts: string): Promise<ChildProcess> {
  return (await startBenchChild(WORKER_SCRIPT, settings, 'floor worker ready', { NODE_EXTRA_CA_CERTS: caCerts })).child;
}
