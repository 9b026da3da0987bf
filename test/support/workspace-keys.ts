import { generateApiKey, hashApiKey, POST_QUEUE, PUBLISH_TARGET_JOB, type ApiKeyRole, type Role } from '@app/shared';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { SessionsService } from '../../apps/backend/src/auth/sessions.service.js';
import { CSRF_HEADER, SESSION_COOKIE, WORKSPACE_HEADER } from '../../apps/backend/src/auth/session-token.js';
import type { ApiClient } from './api-client.js';
import type { Pipeline } from './pipeline.js';
import { TEST_REDIS_URL } from './test-redis.js';

/** An API key of the pipeline's workspace with `role`, stored as the key management API stores one. */
export async function clientWithRole(pipeline: Pipeline, role: ApiKeyRole, name = `${role} key`): Promise<ApiClient> {
  const key = generateApiKey();
  await pipeline.sql.query(`INSERT INTO api_keys (workspace_id, key_hash, name, role) VALUES ($1, $2, $3, $4)`, [
    pipeline.workspace.id,
    hashApiKey(key),
    name,
    role,
  ]);
  return pipeline.workspace.api.as(key);
}

async function withQueue<T>(pipeline: Pipeline, work: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(POST_QUEUE, { prefix: pipeline.redis.prefix, connection: { url: TEST_REDIS_URL } });
  try {
    return await work(queue);
  } finally {
    await queue.close();
  }
}

/** A member of the pipeline's workspace with `role`, signed in: what their session's requests send. */
export async function signedInMember(
  pipeline: Pipeline,
  role: Role,
): Promise<{ userId: string; email: string; headers: Record<string, string> }> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const [{ id: userId }] = await pipeline.sql.query<{ id: string }[]>(
    `WITH person AS (INSERT INTO users (email) VALUES ($1) RETURNING id)
     INSERT INTO memberships (workspace_id, user_id, role) SELECT $2, id, $3 FROM person RETURNING user_id AS id`,
    [email, pipeline.workspace.id, role],
  );
  const session = await pipeline.backend.app.get(SessionsService).start(userId, { userAgent: null, ip: null });
  return {
    userId,
    email,
    headers: {
      cookie: `${SESSION_COOKIE}=${session.token}`,
      [WORKSPACE_HEADER]: pipeline.workspace.id,
      [CSRF_HEADER]: session.csrfToken,
    },
  };
}

/** The state of each target's job in the pipeline's queue (null: there is none). */
export function jobStates(pipeline: Pipeline, targetIds: string[]): Promise<(string | null)[]> {
  return withQueue(pipeline, (queue) =>
    Promise.all(
      targetIds.map(async (id) => {
        const state = await queue.getJobState(id);
        return state === 'unknown' ? null : state;
      }),
    ),
  );
}

/** Puts a job for the target into Redis by hand, to run now: as a stale or duplicate job would. */
export async function forceJob(pipeline: Pipeline, targetId: string): Promise<void> {
  await withQueue(pipeline, async (queue) => {
    await queue.remove(targetId);
    await queue.add(PUBLISH_TARGET_JOB, { targetId }, { jobId: targetId });
  });
}

/**
 * The types of the events and the actions of the audit lines about one subject, oldest first (leaving
 * out the workspace's creation, which every test's set-up makes).
 */
export async function historyOfSubject(
  pipeline: Pipeline,
  subjectId: string,
): Promise<{ events: string[]; audit: { action: string; actor: string }[] }> {
  const events = await pipeline.sql.query<{ type: string }[]>(
    `SELECT type FROM events WHERE data::text LIKE '%' || $1 || '%' ORDER BY id`,
    [subjectId],
  );
  const audit = await pipeline.sql.query<{ action: string; actor_label: string }[]>(
    `SELECT action, actor_label FROM audit_log WHERE subject_id = $1 AND action <> 'workspace.created' ORDER BY id`,
    [subjectId],
  );
  return {
    events: events.map((event) => event.type),
    audit: audit.map((line) => ({ action: line.action, actor: line.actor_label })),
  };
}
