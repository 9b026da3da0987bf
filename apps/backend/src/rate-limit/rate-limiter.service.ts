import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, FailFastRedis, type RateLimitBudget } from '@app/shared';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { BudgetState } from './budget-state.js';

const BUDGETS: readonly RateLimitBudget[] = [
  'apiKey',
  'address',
  'failedAuth',
  'admin',
  'loginAccount',
  'loginAddress',
];

/**
 * Counts requests against the budgets in Redis, so every backend replica shares them (a fixed window
 * per caller, counted atomically by rate-limiter-flexible's Lua script). Fails open: when Redis does
 * not answer, the answer is "unknown" (undefined) and the caller lets the request through; the outage
 * is logged once, and so is the recovery.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly limiters: Record<RateLimitBudget, RateLimiterRedis>;
  private failing = false;

  constructor(config: AppConfig, redis: FailFastRedis) {
    const { windowSeconds, limits } = config.rateLimits;
    this.limiters = Object.fromEntries(
      BUDGETS.map((budget) => [
        budget,
        new RateLimiterRedis({
          storeClient: redis.client,
          rejectIfRedisNotReady: true,
          keyPrefix: `${config.queuePrefix}:rate-limit:${budget}`,
          points: limits[budget],
          duration: windowSeconds,
        }),
      ]),
    ) as Record<RateLimitBudget, RateLimiterRedis>;
  }

  /** Counts one request (or failure) of `subject` against `budget`. */
  consume(budget: RateLimitBudget, subject: string): Promise<BudgetState | undefined> {
    const limiter = this.limiters[budget];
    return this.answer(
      limiter.consume(subject).then(
        (res) => this.state(budget, res, false),
        (rejection: unknown) => {
          if (rejection instanceof RateLimiterRes) return this.state(budget, rejection, true);
          throw rejection;
        },
      ),
    );
  }

  /** Where `subject` stands in `budget` without counting anything; exceeded once nothing is left. */
  peek(budget: RateLimitBudget, subject: string): Promise<BudgetState | undefined> {
    const limiter = this.limiters[budget];
    return this.answer(
      limiter.get(subject).then((res) => {
        const state = this.state(budget, res ?? undefined, false);
        return { ...state, exceeded: state.remaining === 0 };
      }),
    );
  }

  private state(budget: RateLimitBudget, res: RateLimiterRes | undefined, exceeded: boolean): BudgetState {
    const limit = this.limiters[budget].points;
    return {
      budget,
      limit,
      remaining: res ? res.remainingPoints : limit,
      resetMs: res ? res.msBeforeNext : this.limiters[budget].duration * 1000,
      exceeded,
    };
  }

  private async answer(counting: Promise<BudgetState>): Promise<BudgetState | undefined> {
    try {
      const state = await counting;
      if (this.failing) {
        this.failing = false;
        this.logger.log('Redis answers again: rate limits apply again');
      }
      return state;
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(`Redis does not answer (${(error as Error).message}): requests are let through unlimited`);
      }
      return undefined;
    }
  }
}
