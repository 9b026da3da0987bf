/** What floor.ts and its worker processes (floor-worker.ts) agree on. */

export const NOOP_JOB = 'noop';

export interface FloorWorkerSettings {
  queue: string;
  redisUrl: string;
  databaseUrl: string;
  emulatorUrl: string;
  concurrency: number;
}
