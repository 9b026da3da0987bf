/**
 * The API baseline: a bare HTTP server doing the work of `POST /v1/posts` with nothing else — parse the
 * JSON body, insert the post and its target in one transaction, add the delayed job — as a process of
 * its own, like the backend. Started by api-load.ts with its settings as one JSON argument; prints its
 * port once it listens.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import pg from 'pg';
import { publishJobOptions, PUBLISH_TARGET_JOB } from '@app/shared';
import type { BareApiSettings } from './floor-contract.js';

const settings = JSON.parse(process.argv[2]) as BareApiSettings;
const db = new pg.Pool({ connectionString: settings.databaseUrl, max: 10 });
const queue = new Queue(settings.queue, { prefix: 'herald', connection: { url: settings.redisUrl } });

async function createPost(body: { content: string; publishAt: string; accountIds: string[] }): Promise<string> {
  const publishAt = new Date(body.publishAt);
  const client = await db.connect();
  let targetId: string;
  try {
    await client.query('BEGIN');
    const post = await client.query<{ id: string }>(
      `INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
       VALUES ($1, $2, $3, 3600, 'scheduled') RETURNING id`,
      [settings.workspaceId, body.content, publishAt],
    );
    const target = await client.query<{ id: string }>(
      `INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
       VALUES ($1, $2, 'x', 'scheduled', $3, $3) RETURNING id`,
      [post.rows[0].id, body.accountIds[0], publishAt],
    );
    await client.query('COMMIT');
    targetId = target.rows[0].id;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  await queue.add(PUBLISH_TARGET_JOB, { targetId }, publishJobOptions(targetId, publishAt, 1));
  return targetId;
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    createPost(JSON.parse(Buffer.concat(chunks).toString()) as Parameters<typeof createPost>[0]).then(
      (id) => response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id })),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
});
server.listen(0, '127.0.0.1', () => console.log(`bare api ready ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close();
  void queue
    .close()
    .then(() => db.end())
    .then(() => process.exit(0));
});
