import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { eventually } from './factories.js';
import { freePort } from './processes.js';

const run = promisify(execFile);

/**
 * A PostgreSQL server of this test's own (initdb in a temporary folder, its own port), so it can be
 * stopped and restarted without touching the machine's PostgreSQL or other tests. Runs as the
 * `postgres` user when started as root, since PostgreSQL refuses to run as root.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly bin: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const versions = readdirSync('/usr/lib/postgresql').sort();
    const bin = join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
    const root = mkdtempSync(join(tmpdir(), 'herald-pg-'));
    chmodSync(root, 0o777);
    const dataDir = join(root, 'data');
    const server = new PrivatePostgres(await freePort(), dataDir, bin);
    await server.asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    await server.resume();
    return server;
  }

  /** A fast restart: every connection is cut, as in a real PostgreSQL restart or failover. */
  restart = (): Promise<void> => this.ctl('restart', ['-w', '-m', 'fast']);
  stop = (): Promise<void> => this.ctl('stop', ['-w', '-m', 'immediate']);
  resume = (): Promise<void> =>
    this.ctl('start', [
      '-w',
      '-o',
      `-p ${this.port} -k ${join(this.dataDir, '..')} -c listen_addresses=127.0.0.1 -c fsync=off`,
    ]);

  /** Creates an empty database on this server; its URL. */
  async createDatabase(name: string): Promise<string> {
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return this.url.replace(/\/postgres$/, `/${name}`);
  }

  async destroy(): Promise<void> {
    await this.ctl('stop', ['-w', '-m', 'immediate']).catch(() => undefined);
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async ctl(action: string, args: string[]): Promise<void> {
    await this.asPostgres(join(this.bin, 'pg_ctl'), [
      action,
      '-D',
      this.dataDir,
      '-l',
      join(this.dataDir, '..', 'log'),
      ...args,
    ]);
  }

  private async asPostgres(file: string, args: string[]): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    await run(asRoot ? 'runuser' : file, asRoot ? ['-u', 'postgres', '--', file, ...args] : args, { timeout: 60_000 });
  }
}

/** A Redis server of this test's own (no persistence, noeviction), which can be flushed and restarted. */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.resume();
    return redis;
  }

  async resume(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const client = new Redis(this.port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 100 });
    client.on('error', () => undefined); // refused until the server is up: expected while waiting
    client.connect().catch(() => undefined); // the retry strategy keeps trying until the server is up
    await eventually(() => (client.status === 'ready' ? true : undefined), {
      timeoutMs: 30_000,
      what: `Redis on port ${this.port} to accept connections`,
    });
    await client.quit();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops and starts again: with no persistence, every job is gone, as after a crash. */
  async restart(): Promise<void> {
    await this.stop();
    await this.resume();
  }

  async flushAll(): Promise<void> {
    const client = new Redis(this.port, '127.0.0.1');
    client.on('error', () => undefined);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  destroy = (): Promise<void> => this.stop();
}
