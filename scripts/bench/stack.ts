import { readFileSync } from 'node:fs';
import pg from 'pg';
import { loadEnvironment } from '@app/shared';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { PrivatePostgres, PrivateRedis } from '../../test/support/private-services.js';
import { freePort, HeraldProcess, type HeraldApp } from '../../test/support/processes.js';
import { deployedEnvironment } from '../../test/support/test-environment.js';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../../test/support/tls.js';

/** Resident memory of one process, from /proc/<pid>/status: now (VmRSS) and its peak so far (VmHWM). */
export interface Memory {
  rssMb: number;
  peakMb: number;
}

/**
 * Everything a measurement runs against, as the chaos suite builds it: a private PostgreSQL and Redis,
 * the X emulator over HTTPS (as X is reached), and Herald's three apps as real processes with every
 * default on except what the bench must point somewhere.
 */
export class BenchStack {
  readonly processes = new Map<string, HeraldProcess>();
  readonly db: pg.Pool;

  private constructor(
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly emulator: XEmulator,
    private readonly certificate: SelfSignedCertificate,
    readonly databaseUrl: string,
    readonly environment: Record<string, string>,
  ) {
    this.db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  }

  static async start(concurrency: number): Promise<BenchStack> {
    const [postgres, redis, certificate] = await Promise.all([
      PrivatePostgres.start(),
      PrivateRedis.start(),
      createSelfSignedCertificate(),
    ]);
    const databaseUrl = await postgres.createDatabase('herald');
    const emulator = await startXEmulator({ host: '127.0.0.1', tls: certificate });
    const port = await freePort();
    const environment: Record<string, string> = {
      ...deployedEnvironment({ databaseUrl, redisUrl: redis.url, xApiBaseUrl: emulator.url, port }),
      NODE_EXTRA_CA_CERTS: certificate.certPath,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      WORKER_CONCURRENCY: String(concurrency),
    };
    return new BenchStack(postgres, redis, emulator, certificate, databaseUrl, environment);
  }

  get apiUrl(): string {
    return this.environment.PUBLIC_BASE_URL;
  }

  /** The settings Herald runs with: what the bench sets, and every default it leaves alone. */
  settings(): Record<string, unknown> {
    const { platforms: _platforms, ...loaded } = loadEnvironment(this.environment);
    return Object.fromEntries(Object.entries(loaded).filter(([name]) => !/KEY|TOKEN|SECRET|CERTS/.test(name)));
  }

  /** Starts one of Herald's apps with the stack's environment, and `overrides` (which the caller prints). */
  async startApp(name: string, app: HeraldApp, overrides: Record<string, string> = {}): Promise<void> {
    this.processes.set(name, await HeraldProcess.start(app, { ...this.environment, ...overrides }));
  }

  async stopApp(name: string): Promise<void> {
    await this.processes.get(name)?.kill('SIGTERM');
    this.processes.delete(name);
  }

  /** Stops or starts worker processes until exactly `count` run. */
  async setWorkers(count: number): Promise<void> {
    const running = [...this.processes.keys()].filter((name) => name.startsWith('worker-'));
    for (const name of running.slice(count)) await this.stopApp(name);
    const starting = [];
    for (let n = running.length + 1; n <= count; n++) starting.push(this.startApp(`worker-${n}`, 'worker'));
    await Promise.all(starting);
  }

  memory(): Record<string, Memory> {
    const figures: Record<string, Memory> = {};
    for (const [name, child] of this.processes) {
      if (!child.alive || child.child.pid === undefined) continue;
      const status = readFileSync(`/proc/${child.child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      figures[name] = { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
    }
    return figures;
  }

  async stop(): Promise<void> {
    for (const child of this.processes.values()) await child.kill('SIGKILL');
    await this.db.end();
    await this.emulator.close();
    await this.redis.destroy();
    await this.postgres.destroy();
    this.certificate.remove();
  }
}
