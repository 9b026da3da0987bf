import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { FailFastRedis } from '../redis/fail-fast-redis.js';
import { ranksWithinGroups } from './publish-priority.js';

/**
 * Targets due within the same minute count as due together: a burst sent "now" (each post a few ms
 * after the last) is ranked like a burst scheduled for 09:00:00.
 */
const INSTANT_MS = 60_000;

/** A counter outlives its minute by this much: posts are still added for it while it is late. */
const KEEP_AFTER_DUE_MS = 24 * 3600 * 1000;

/** Adds each count (ARGV 2i-1) to its counter (KEYS i), sets its expiry (ARGV 2i); the new totals. */
const COUNT_LUA = `
local totals = {}
for i, key in ipairs(KEYS) do
  totals[i] = redis.call('INCRBY', key, ARGV[2 * i - 1])
  redis.call('PEXPIREAT', key, ARGV[2 * i])
end
return totals`;

/**
 * Hands out each new target's rank among its workspace's targets due in the same minute, counted in
 * Redis so every backend replica shares the count (one INCRBY per minute, in one script: one command
 * rather than a MULTI of several).
 */
@Injectable()
export class DueRanks {
  private readonly logger = new Logger(DueRanks.name);

  constructor(
    private readonly redis: FailFastRedis,
    private readonly config: AppConfig,
  ) {}

  /**
   * The ranks of `dueAts`, all of one workspace. Without Redis the ranks count from 1 within this
   * call: adding the jobs needs Redis anyway, and the scheduler ranks the targets again when it
   * requeues them.
   */
  async next(workspaceId: string, dueAts: readonly Date[]): Promise<number[]> {
    const instantOf = (dueAt: Date) => Math.floor(dueAt.getTime() / INSTANT_MS) * INSTANT_MS;
    // One hash tag: the counters are updated in one script, which a Redis Cluster allows in one slot only.
    const keyOf = (dueAt: Date) => `${this.config.queueKeyPrefix}:due-rank:${workspaceId}:${instantOf(dueAt)}`;
    const local = ranksWithinGroups(dueAts, keyOf);
    const counts = new Map<string, { dueAt: Date; count: number }>();
    dueAts.forEach((dueAt) => {
      const entry = counts.get(keyOf(dueAt)) ?? { dueAt, count: 0 };
      counts.set(keyOf(dueAt), { dueAt, count: entry.count + 1 });
    });
    try {
      const keys = [...counts.keys()];
      const totals = (await this.redis.client.eval(
        COUNT_LUA,
        keys.length,
        ...keys,
        ...keys.flatMap((key) => {
          const { dueAt, count } = counts.get(key)!;
          return [count, instantOf(dueAt) + INSTANT_MS + KEEP_AFTER_DUE_MS];
        }),
      )) as number[];
      const before = new Map(
        keys.map((key, index) => {
          const total = Number(totals[index]);
          return [key, Number.isFinite(total) ? total - counts.get(key)!.count : 0];
        }),
      );
      return dueAts.map((dueAt, index) => (before.get(keyOf(dueAt)) ?? 0) + local[index]);
    } catch (error) {
      this.logger.debug(`Due ranks counted locally: ${(error as Error).message}`);
      return local;
    }
  }
}
