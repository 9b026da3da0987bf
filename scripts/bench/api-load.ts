import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { ApiClient } from '../../test/support/api-client.js';
import type { BenchWorkspace } from './burst.js';
import type { BenchStack } from './stack.js';
import type { BareApiSettings } from './floor-contract.js';
import { startBenchChild } from './floor.js';
import { loadFor, spread } from './stats.js';

const BARE_API_SCRIPT = fileURLToPath(new URL('./bare-api-server.ts', import.meta.url));

export interface LoadFigures {
  requests: number;
  clients: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const tomorrow = () => new Date(Date.now() + 86_400_000);

/** `POST /v1/posts` for `durationMs` from `clients` concurrent clients on one API key, one account per post. */
export async function measureApi(owner: BenchWorkspace, durationMs: number, clients: number): Promise<LoadFigures> {
  let errors = 0;
  const publishAt = tomorrow().toISOString();
  const load = await loadFor(durationMs, clients, async (n) => {
    const response = await owner.workspace.api.post('/v1/posts', {
      content: `bench api #${n}`,
      publishAt,
      accountIds: [owner.accountIds[n % owner.accountIds.length]],
    });
    if (response.status !== 201) errors++;
  });
  return figures(load, clients, errors);
}

/**
 * The baseline: a bare HTTP server doing the same work with nothing else (bare-api-server.ts: parse,
 * insert the post and its target in one transaction on a pool as large as the backend's, add the
 * delayed job), in a process of its own, under the same load.
 */
export async function measureBareApi(
  stack: BenchStack,
  owner: BenchWorkspace,
  durationMs: number,
  clients: number,
): Promise<LoadFigures> {
  const settings: BareApiSettings = {
    queue: 'bench-bare-api',
    redisUrl: stack.redis.url,
    databaseUrl: stack.databaseUrl,
    workspaceId: owner.workspace.id,
  };
  const { child, output } = await startBenchChild(BARE_API_SCRIPT, settings, 'bare api ready');
  const port = Number(/bare api ready (\d+)/.exec(output)![1]);
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  const publishAt = tomorrow().toISOString();
  let errors = 0;
  try {
    const load = await loadFor(durationMs, clients, async (n) => {
      const response = await api.post('/v1/posts', {
        content: `bench bare #${n}`,
        publishAt,
        accountIds: [owner.accountIds[n % owner.accountIds.length]],
      });
      if (response.status !== 201) errors++;
    });
    return figures(load, clients, errors);
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    // The baseline's rows and jobs are not Herald's: remove them so no worker ever finds them due.
    await stack.db.query(`DELETE FROM posts WHERE workspace_id = $1 AND content LIKE 'bench bare #%'`, [
      owner.workspace.id,
    ]);
    const queue = new Queue(settings.queue, { prefix: 'herald', connection: { url: stack.redis.url } });
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

function figures(load: { durations: number[]; seconds: number }, clients: number, errors: number): LoadFigures {
  const { p50, p99 } = spread(load.durations);
  const requests = load.durations.length;
  return {
    requests,
    clients,
    seconds: load.seconds,
    perSecond: requests / load.seconds,
    p50Ms: p50,
    p99Ms: p99,
    errors,
  };
}
