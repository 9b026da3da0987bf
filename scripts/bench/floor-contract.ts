/** What floor.ts and its worker processes (floor-worker.ts) agree on. */

export const NOOP_JOB = 'noop';

export interface FloorWorkerSettings {
  queue: string;
  redisUrl: string;
  databaseUrl: string;
  emulatorUrl: string;
  concurrency: number;
}

/** What api-load.ts and the bare API server (bare-api-server.ts) agree on. */
export interface BareApiSettings {
  queue: string;
  redisUrl: string;
  databaseUrl: string;
  workspaceId: string;
}
