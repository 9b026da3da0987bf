import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DueRanks } from './due-ranks.js';
import { INSPECT_JOBS_LUA, INSPECTED_KEYS, LISTED_KEYS, parseJobFacts, UNPLACED } from './inspect-jobs.script.js';
import { decideJobRepair, type JobFacts, type JobRepair } from './job-repair.js';
import { publishJobOptions } from './publish-job-options.js';
import type { PublishTargetJob } from './publish-target.job.js';
import { POST_QUEUE, PUBLISH_TARGET_JOB } from './queue.constants.js';

export type RequeueOutcome = JobRepair | 'error';

/**
 * A target whose job the scheduler checks: due now, or due later at `runAt`; `rank` is its place in the
 * scheduler's pass (see publish-priority.ts), given to a job it adds (an existing job keeps its priority).
 */
export interface JobTarget {
  id: string;
  runAt: Date | 'now';
  rank: number;
}

export interface ScheduledTarget {
  id: string;
  runAt: Date;
}

/**
 * How long a caller waits on Redis. BullMQ waits for a connection indefinitely; the API and the
 * scheduler must not, since PostgreSQL already holds everything they are about to enqueue.
 */
const REDIS_PATIENCE_MS = 1_000;

const INSPECT_JOBS = 'heraldInspectJobs';
/** The connections the inspection script is defined on. */
const scripted = new WeakSet<object>();

const runTime = (target: JobTarget): Date => (target.runAt === 'now' ? new Date(0) : target.runAt);

/**
 * One scheduler pass's reading of BullMQ's lists (wait, paused, active): taken the first time a job is
 * found in no sorted set and not running (see inspect-jobs.script.ts), then shared by the pass's
 * batches. A job listed then and in no sorted set now is still in a list, since leaving the lists puts
 * a job in a sorted set or removes it. A job that entered a list after the reading (taken by a worker
 * that died, within the pass) counts as in none and is replaced: it still runs once.
 */
export class ListedJobs {
  private ids?: Promise<Set<string>>;

  /** The listed ids, read by `read` on the first call only. */
  get(read: () => Promise<Set<string>>): Promise<Set<string>> {
    this.ids ??= read();
    return this.ids;
  }
}

/** The only place that puts publish jobs into Redis, or takes them out. */
@Injectable()
export class PostQueue {
  private readonly logger = new Logger(PostQueue.name);
  private lastConnectionWarning = 0;

  constructor(
    @InjectQueue(POST_QUEUE) private readonly queue: Queue<PublishTargetJob>,
    private readonly ranks: DueRanks,
  ) {
    queue.on('error', (error: Error) => this.warnConnection(error));
  }

  /** Adds one delayed job per new target of the workspace, ranked among its targets due at the same instant. */
  async schedule(workspaceId: string, targets: ScheduledTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const ranks = await this.ranks.next(
      workspaceId,
      targets.map((target) => target.runAt),
    );
    const jobs = targets.map((target, index) => this.job(target.id, target.runAt, ranks[index]));
    // addBulk builds an ioredis pipeline, which copies every script BullMQ defines on the connection:
    // for the single job of a one-account post (the common case), a plain add costs a fraction of it.
    const [only] = jobs;
    await withPatience<unknown>(
      jobs.length === 1 ? this.queue.add(only.name, only.data, only.opts) : this.queue.addBulk(jobs),
    );
  }

  /**
   * Moves the jobs of rescheduled targets to their new time. A job a worker holds right now cannot be
   * removed; that is fine, because the worker's claim re-checks the time in PostgreSQL.
   */
  async reschedule(workspaceId: string, targets: ScheduledTarget[]): Promise<void> {
    await this.remove(targets.map((target) => target.id));
    await this.schedule(workspaceId, targets);
  }

  /** Best effort: a job left behind finds its target cancelled and does nothing. */
  async remove(targetIds: string[]): Promise<void> {
    await Promise.all(
      targetIds.map((id) =>
        withPatience(this.queue.remove(id)).catch((error: unknown) => {
          this.logger.debug(`Job ${id} not removed: ${(error as Error).message}`);
        }),
      ),
    );
  }

  /**
   * Makes sure each target has a job that runs on time: now for a due target (`runAt` 'now'), by
   * `runAt` for one due later (see decideJobRepair). Reads every job's state in one round trip (and
   * BullMQ's lists once per pass, in `listed`) and acts only on the jobs that need it, adding the
   * missing ones in one addBulk.
   */
  async ensureJobs(targets: JobTarget[], listed: ListedJobs): Promise<RequeueOutcome[]> {
    if (targets.length === 0) return [];
    const facts = await withPatience(
      this.inspect(
        targets.map((target) => target.id),
        listed,
      ),
    );
    const outcomes: RequeueOutcome[] = targets.map((target, index) => decideJobRepair(target.runAt, facts[index]));
    const failed = (index: number) => (error: unknown) => {
      this.logger.warn(`Could not requeue target ${targets[index].id}: ${(error as Error).message}`);
      outcomes[index] = 'error';
    };
    await Promise.all(targets.map((target, index) => this.repair(target, outcomes[index]).catch(failed(index))));
    const adding = outcomes.flatMap((outcome, index) => (outcome === 'added' || outcome === 'replaced' ? [index] : []));
    if (adding.length > 0) {
      const jobs = adding.map((index) => this.job(targets[index].id, runTime(targets[index]), targets[index].rank));
      await withPatience(this.queue.addBulk(jobs)).catch((error: unknown) =>
        adding.forEach((index) => failed(index)(error)),
      );
    }
    return outcomes;
  }

  /** Throws when Redis cannot answer in time. */
  async checkReachable(): Promise<void> {
    await withPatience(this.queue.getJobCounts('wait'));
  }

  /** The state of each job, in one round trip, and one more the first time in a pass that lists are needed. */
  private async inspect(targetIds: string[], listed: ListedJobs): Promise<JobFacts[]> {
    const client = await this.queue.getBackend().client;
    if (!scripted.has(client)) {
      client.defineCommand(INSPECT_JOBS, {
        numberOfKeys: INSPECTED_KEYS.length,
        lua: INSPECT_JOBS_LUA,
        readOnly: true,
      });
      scripted.add(client);
    }
    const keys = INSPECTED_KEYS.map((key) => this.queue.toKey(key));
    const reply = (await client.runCommand(INSPECT_JOBS, [...keys, this.queue.toKey(''), ...targetIds])) as string[];
    const inLists = reply.includes(UNPLACED) ? await listed.get(() => this.readLists()) : new Set<string>();
    return parseJobFacts(reply, (index) => inLists.has(targetIds[index]));
  }

  /** The ids in BullMQ's lists, read together in one MULTI so that no job moving between them is missed. */
  private async readLists(): Promise<Set<string>> {
    const client = await this.queue.getBackend().client;
    const transaction = client.multi();
    for (const key of LISTED_KEYS) transaction.lrange(this.queue.toKey(key), 0, -1);
    const replies = (await transaction.exec()) ?? [];
    const ids = new Set<string>();
    for (const [error, listedIds] of replies) {
      if (error) throw error;
      for (const id of listedIds as string[]) ids.add(id);
    }
    return ids;
  }

  /** Everything but adding, which ensureJobs does for all targets at once. */
  private async repair(target: JobTarget, outcome: RequeueOutcome): Promise<void> {
    const backend = this.queue.getBackend();
    switch (outcome) {
      case 'promoted':
        return withPatience(backend.promote(target.id));
      case 'retried':
        return withPatience(this.queue.getJob(target.id).then((job) => job?.retry('failed')));
      case 'moved':
        return withPatience(backend.changeDelay(target.id, Math.max(0, runTime(target).getTime() - Date.now())));
      case 'replaced':
        // 0: the job is locked by a worker that is running it.
        if ((await withPatience(this.queue.remove(target.id))) === 0) throw new Error('its job is running');
        return;
      case 'added':
      case 'alive':
      case 'error':
        return;
    }
  }

  /** Redis being down is expected and handled; say so once a minute, not on every reconnect attempt. */
  private warnConnection(error: Error): void {
    if (Date.now() - this.lastConnectionWarning < 60_000) return;
    this.lastConnectionWarning = Date.now();
    this.logger.warn(`Redis unavailable: ${error.message}`);
  }

  private job(targetId: string, runAt: Date, rank: number) {
    return { name: PUBLISH_TARGET_JOB, data: { targetId }, opts: publishJobOptions(targetId, runAt, rank) };
  }
}

async function withPatience<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${REDIS_PATIENCE_MS} ms`)),
      REDIS_PATIENCE_MS,
    );
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
