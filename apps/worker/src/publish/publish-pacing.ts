import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, FailFastRedis, type Pace, type PlatformName } from '@app/shared';

/** What to publish, and for whom: `tokens` is the number of platform posts (a thread's parts left). */
export interface PaceRequest {
  targetId: string;
  accountId: string;
  platform: PlatformName;
  tokens: number;
}

export type PaceDecision = { kind: 'go' } | { kind: 'wait'; until: Date };

/** A bucket as the script takes it: the time one token takes to come back, and how many it holds. */
export interface BucketParameters {
  key: string;
  intervalMs: number;
  burst: number;
}

/** A target's booked time stays this long after it, for a job that comes back late. */
const BOOKING_GRACE_MS = 3_600_000;

/**
 * GCRA (the token bucket kept as one "theoretical arrival time" per bucket), over every bucket of
 * the request at once, in one atomic round trip.
 * KEYS[1]: the target's booking; KEYS[2..]: the buckets. ARGV: now (ms), tokens, grace (ms), then
 * per bucket its interval (ms) and burst.
 * - A target with a booking publishes once its time has come (else waits for it), without taking
 *   tokens again: they were taken when it was booked.
 * - Otherwise the earliest time at which every bucket holds the tokens is found. Now: go. Later: that
 *   time is booked for this target, so the targets that wait get successive times, oldest first,
 *   instead of all waking at the first free token.
 * Returns { go (1 or 0), time (ms) }.
 */
export const PACE_SCRIPT = `
local now = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local booked = tonumber(redis.call('GET', KEYS[1]))
if booked then
  if booked <= now then
    redis.call('DEL', KEYS[1])
    return {1, booked}
  end
  return {0, booked}
end
local at = now
local buckets = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local cost = math.min(tokens, burst)
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  buckets[i] = { tat = tat, step = cost * interval }
  local ready = tat + (cost - burst) * interval
  if ready > at then at = ready end
end
for i = 2, #KEYS do
  local tat = math.max(buckets[i].tat, at) + buckets[i].step
  redis.call('SET', KEYS[i], tat, 'PX', math.max(1, tat - now))
end
if at <= now then return {1, now} end
redis.call('SET', KEYS[1], at, 'PX', at - now + tonumber(ARGV[3]))
return {0, at}
`;

/** The bucket parameters of a pace: `count` tokens, one back every `seconds / count` (rounded up to a ms). */
export const bucketOf = (key: string, pace: Pace): BucketParameters => ({
  key,
  intervalMs: Math.ceil((pace.seconds * 1000) / pace.count),
  burst: pace.count,
});

interface PaceCommand {
  heraldPace(keyCount: number, ...keysAndArgs: (string | number)[]): Promise<[number, number]>;
}

/**
 * Paces publishing per account and per platform app, as each platform documents its limits
 * (`<PLATFORM>_ACCOUNT_PACE`, `<PLATFORM>_APP_PACE`), in Redis so every worker shares the buckets.
 *
 * When Redis does not answer, it lets the post go: the job itself came from that Redis moments ago,
 * so this is a blip, and holding posts back would make them late for sure while the platform's own
 * 429 (which pauses the account until its reset, see rate_limited_until) is the backstop.
 */
@Injectable()
export class PublishPacing {
  private readonly logger = new Logger(PublishPacing.name);
  private lastWarning = 0;

  constructor(
    private readonly redis: FailFastRedis,
    private readonly config: AppConfig,
  ) {
    redis.client.defineCommand('heraldPace', { lua: PACE_SCRIPT });
  }

  /** Takes the request's tokens, or books the earliest time they are there and says to wait for it. */
  async take(request: PaceRequest, now = Date.now()): Promise<PaceDecision> {
    const buckets = this.bucketsOf(request);
    if (buckets.length === 0) return { kind: 'go' };
    // One hash tag for all of them: the script uses them together, which a Redis Cluster allows in one slot only.
    const prefix = `${this.config.queueKeyPrefix}:pace`;
    const keys = [`${prefix}:booked:${request.targetId}`, ...buckets.map((bucket) => `${prefix}:${bucket.key}`)];
    const args = [
      now,
      request.tokens,
      BOOKING_GRACE_MS,
      ...buckets.flatMap((bucket) => [bucket.intervalMs, bucket.burst]),
    ];
    try {
      const [go, at] = await (this.redis.client as unknown as PaceCommand).heraldPace(keys.length, ...keys, ...args);
      return go === 1 ? { kind: 'go' } : { kind: 'wait', until: new Date(at) };
    } catch (error) {
      this.warn(error as Error);
      return { kind: 'go' };
    }
  }

  private bucketsOf({ accountId, platform }: PaceRequest): BucketParameters[] {
    const { account, app } = this.config.platforms[platform].pacing;
    return [
      ...(account ? [bucketOf(`account:${accountId}`, account)] : []),
      ...(app ? [bucketOf(`app:${platform}`, app)] : []),
    ];
  }

  private warn(error: Error): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Publishing without pacing, Redis did not answer: ${error.message}`);
  }
}
