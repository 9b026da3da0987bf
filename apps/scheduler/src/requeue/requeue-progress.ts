import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/shared';
import { CronTime } from 'cron';

/** Ticks of SCHEDULER_CRON in a row that may go by without progress before the scheduler counts as stuck. */
export const MISSED_TICKS = 3;

export interface RequeueHealth {
  stuck: boolean;
  /** The last progress, or null before the first. */
  lastProgressAt: Date | null;
  /** When the scheduler counts as stuck unless it progresses first. */
  deadline: Date;
  lastFailure?: string;
}

/**
 * When requeueing last moved forward, for the scheduler's liveness check. Progress is a pass that
 * completed, a tick that found another replica holding the lock (that replica covers every due
 * target, so this one is doing its job by standing by), or a batch of a long pass. A failed pass
 * (PostgreSQL or Redis unreachable) is not progress.
 *
 * The limit is counted in ticks of the schedule itself, not in a fixed duration, so it fits any
 * SCHEDULER_CRON, even an irregular one (`0 9 * * 1-5`): the scheduler is stuck once
 * {@link MISSED_TICKS} ticks have each had until the next one to progress, and none did. Before the
 * first pass, the same limit counts from when the cron started.
 */
@Injectable()
export class RequeueProgress {
  private readonly schedule: CronTime;
  private startedAt?: Date;
  private lastProgressAt?: Date;
  private lastFailure?: string;

  constructor(config: AppConfig) {
    this.schedule = new CronTime(config.scheduler.cron);
  }

  /** The cron started ticking. */
  started(now = new Date()): void {
    this.startedAt ??= now;
  }

  progressed(now = new Date()): void {
    this.lastProgressAt = now;
    this.lastFailure = undefined;
  }

  failed(error: unknown): void {
    this.lastFailure = error instanceof Error ? error.message : String(error);
  }

  health(now = new Date()): RequeueHealth {
    const since = this.lastProgressAt ?? this.startedAt ?? now;
    const deadline = nthTickAfter(this.schedule, since, MISSED_TICKS + 1);
    return {
      stuck: now.getTime() > deadline.getTime(),
      lastProgressAt: this.lastProgressAt ?? null,
      deadline,
      ...(this.lastFailure === undefined ? {} : { lastFailure: this.lastFailure }),
    };
  }
}

/** The n-th time the schedule fires strictly after `from`. */
export function nthTickAfter(schedule: CronTime, from: Date, n: number): Date {
  let tick = from;
  for (let i = 0; i < n; i++) tick = schedule.getNextDateFrom(tick).toJSDate();
  return tick;
}
