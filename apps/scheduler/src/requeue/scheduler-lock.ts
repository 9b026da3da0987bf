import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

// Any constant works; it only has to be the same in every scheduler replica.
export const REQUEUE_LOCK_KEY = 4_242_002;

/**
 * One requeue pass at a time across all scheduler replicas, through a PostgreSQL session advisory
 * lock. A replica that finds the lock taken skips its tick: the holder covers every due target, so
 * none is skipped and none is enqueued twice. If the holder dies, its session ends and the lock with it.
 */
@Injectable()
export class SchedulerLock {
  constructor(private readonly dataSource: DataSource) {}

  async runExclusive<T>(work: () => Promise<T>): Promise<T | 'busy'> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ acquired }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS acquired', [
        REQUEUE_LOCK_KEY,
      ])) as {
        acquired: boolean;
      }[];
      if (!acquired) return 'busy';
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [REQUEUE_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }
}
