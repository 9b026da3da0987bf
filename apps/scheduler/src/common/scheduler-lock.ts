import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Each kind of pass has its own lock; any constants work, as long as every scheduler replica uses the same. */
export const SCHEDULER_LOCK_KEYS = { requeue: 4_242_002, alerts: 4_242_003 } as const;

/**
 * One pass of a kind at a time across all scheduler replicas, through a PostgreSQL session advisory
 * lock. A replica that finds the lock taken skips its tick: the holder does the work, so nothing is
 * skipped and nothing is done twice at once. If the holder dies, its session ends and the lock with it.
 */
@Injectable()
export class SchedulerLock {
  constructor(private readonly dataSource: DataSource) {}

  async runExclusive<T>(pass: keyof typeof SCHEDULER_LOCK_KEYS, work: () => Promise<T>): Promise<T | 'busy'> {
    const key = SCHEDULER_LOCK_KEYS[pass];
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ acquired }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS acquired', [key])) as {
        acquired: boolean;
      }[];
      if (!acquired) return 'busy';
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      await runner.release();
    }
  }
}
