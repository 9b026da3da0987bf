import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { eventually } from './factories.js';
import { freePort } from './processes.js';

const run = promisify(execFile);

/**
 * A Redis Cluster of this test's own: one master per node on loopback ports, no replicas, no
 * persistence. Each node's cluster bus gets a free port of its own (`--cluster-port`), since the
 * default (port + 10000) may be taken or out of range.
 */
export class LocalRedisCluster {
  private constructor(
    private readonly dir: string,
    private readonly children: ChildProcess[],
    /** One plain client per node, for looking at what each node holds. */
    readonly nodeClients: Redis[],
  ) {}

  /** REDIS_CLUSTER_NODES for Herald. */
  get nodes(): string {
    return this.nodeClients.map((client) => `127.0.0.1:${client.options.port}`).join(',');
  }

  static async start(size = 3, timeoutMs = 30_000): Promise<LocalRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'herald-cluster-'));
    const ports: number[] = [];
    const children: ChildProcess[] = [];
    const clients: Redis[] = [];
    const cluster = new LocalRedisCluster(dir, children, clients);
    try {
      for (let i = 0; i < size; i++) {
        const [port, busPort] = [await freePort(), await freePort()];
        ports.push(port);
        children.push(spawn('redis-server', nodeArguments(dir, port, busPort), { stdio: 'ignore' }));
        const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 100 });
        client.on('error', () => undefined); // refused until the server is up: expected while waiting
        client.connect().catch(() => undefined);
        clients.push(client);
      }
      await eventually(() => (clients.every((client) => client.status === 'ready') ? true : undefined), {
        timeoutMs,
        what: 'every cluster node to accept connections',
      });
      const addresses = ports.map((port) => `127.0.0.1:${port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
        timeout: timeoutMs,
      });
      // Every node must agree, so a client may start from any of them and learn the whole slot map.
      await eventually(
        async () => {
          const infos = await Promise.all(clients.map((client) => client.cluster('INFO')));
          return infos.every((info) => /cluster_state:ok/.test(info)) ? true : undefined;
        },
        { timeoutMs, what: 'cluster_state:ok on every node' },
      );
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The keys each node holds that match `pattern`, node by node. */
  keysPerNode(pattern: string): Promise<string[][]> {
    return Promise.all(this.nodeClients.map((client) => client.keys(pattern)));
  }

  /** What a FLUSHALL does to a cluster: every node (each is a master) forgets everything. */
  async flushAll(): Promise<void> {
    await Promise.all(this.nodeClients.map((client) => client.flushall()));
  }

  async stop(): Promise<void> {
    for (const client of this.nodeClients) client.disconnect();
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function nodeArguments(dir: string, port: number, busPort: number): string[] {
  return [
    ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
    ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxmemory-policy', 'noeviction'],
  ];
}
