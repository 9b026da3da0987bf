/**
 * The floor: the same work as a Herald publish with nothing else, as a standalone BullMQ worker process.
 * A publish job: one claim UPDATE, one HTTPS POST to the emulator over a keep-alive agent, one record
 * UPDATE. A {@link NOOP_JOB}: raw BullMQ, the job does nothing. Started by floor.ts with its settings
 * as one JSON argument.
 */
import https from 'node:https';
import { Worker } from 'bullmq';
import pg from 'pg';
import { NOOP_JOB, type FloorWorkerSettings } from './floor-contract.js';

const settings = JSON.parse(process.argv[2]) as FloorWorkerSettings;
const db = new pg.Pool({ connectionString: settings.databaseUrl, max: 10 });
const agent = new https.Agent({ keepAlive: true });
const emulator = new URL(settings.emulatorUrl);

function tweet(token: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        agent,
        host: emulator.hostname,
        port: emulator.port,
        method: 'POST',
        path: '/2/tweets',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          if (response.statusCode !== 201) reject(new Error(`X answered ${response.statusCode}: ${body}`));
          else resolve((JSON.parse(body) as { data: { id: string } }).data.id);
        });
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ text }));
  });
}

async function publish(targetId: string): Promise<void> {
  const { rows } = await db.query<{ text: string; account_id: string }>(
    `UPDATE post_targets t SET status = 'publishing', attempts = t.attempts + 1,
            lease_expires_at = now() + interval '60 seconds', updated_at = now()
       FROM posts p
      WHERE t.id = $1 AND p.id = t.post_id AND t.status IN ('scheduled', 'queued') AND t.next_attempt_at <= now()
     RETURNING p.content AS text, t.account_id`,
    [targetId],
  );
  if (rows.length === 0) return;
  const platformPostId = await tweet(`bench-${rows[0].account_id}`, rows[0].text);
  await db.query(
    `UPDATE post_targets SET status = 'published', platform_post_id = $2, published_at = now(),
            lease_expires_at = NULL, next_attempt_at = NULL, updated_at = now()
      WHERE id = $1`,
    [targetId, platformPostId],
  );
}

const worker = new Worker<{ targetId: string }>(
  settings.queue,
  (job) => (job.name === NOOP_JOB ? Promise.resolve() : publish(job.data.targetId)),
  { prefix: 'herald', connection: { url: settings.redisUrl }, concurrency: settings.concurrency },
);
await worker.waitUntilReady();
console.log('floor worker ready');
process.on('SIGTERM', () => {
  void worker
    .close()
    .then(() => db.end())
    .then(() => process.exit(0));
});
