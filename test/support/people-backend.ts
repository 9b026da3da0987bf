import type { NestExpressApplication } from '@nestjs/platform-express';
import { PasswordHasher, type Role, type User, UserRepository } from '@app/shared';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SessionsService } from '../../apps/backend/src/auth/sessions.service.js';
import { CSRF_HEADER, SESSION_COOKIE, WORKSPACE_HEADER } from '../../apps/backend/src/auth/session-token.js';
import { ApiClient } from './api-client.js';
import { startBackend, type RunningBackend } from './herald-apps.js';
import { startMailServer, type MailServer } from './mail-server.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { testConfig, testEnvironment } from './test-environment.js';
import { createTestRedis, type TestRedis } from './test-redis.js';

/** An ApiClient sending the same headers on every request (a session's cookie, CSRF token, workspace). */
export class HeaderClient extends ApiClient {
  constructor(
    baseUrl: string,
    private readonly defaultHeaders: Record<string, string>,
  ) {
    super(baseUrl);
  }

  override request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return super.request<T>(method, path, body, { ...this.defaultHeaders, ...headers });
  }
}

export interface TestSession {
  token: string;
  csrfToken: string;
}

/** The headers of a request on `session`, in `workspaceId` when given. */
export const sessionHeaders = (session: TestSession, workspaceId?: string): Record<string, string> => ({
  cookie: `${SESSION_COOKIE}=${session.token}`,
  [CSRF_HEADER]: session.csrfToken,
  ...(workspaceId ? { [WORKSPACE_HEADER]: workspaceId } : {}),
});

export const sessionClient = (baseUrl: string, session: TestSession, workspaceId?: string): HeaderClient =>
  new HeaderClient(baseUrl, sessionHeaders(session, workspaceId));

export const uniqueEmail = (what = 'person'): string => `${what}-${randomBytes(4).toString('hex')}@example.com`;

/** A user made through the backend's own repository (see people.ts for one written in SQL) (with a password when given). */
export async function createUser(
  app: NestExpressApplication,
  person: { email?: string; name?: string; password?: string } = {},
): Promise<User> {
  const passwordHash = person.password ? await app.get(PasswordHasher).hash(person.password) : null;
  const user = await app
    .get(UserRepository)
    .create({ email: person.email ?? uniqueEmail(), name: person.name ?? 'Test Person', passwordHash });
  if (!user) throw new Error('newUser: email taken');
  return user;
}

/** A session of `userId`, started as signing in starts one. */
export async function startSession(app: NestExpressApplication, userId: string): Promise<TestSession> {
  const { token, csrfToken } = await app.get(SessionsService).start(userId, { userAgent: 'jest', ip: '127.0.0.1' });
  return { token, csrfToken };
}

/** Makes `userId` a member of the workspace (as the database's owner: a test's shortcut past invitations). */
export async function addMember(sql: DataSource, workspaceId: string, userId: string, role: Role): Promise<void> {
  await sql.query(`INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)`, [
    workspaceId,
    userId,
    role,
  ]);
}

export interface TestMember {
  user: User;
  session: TestSession;
  /** Requests on the member's session, in the workspace. */
  api: HeaderClient;
}

/** A new person, member of the workspace with `role`, signed in. */
export async function newMember(
  backend: { app: NestExpressApplication; url: string },
  sql: DataSource,
  workspaceId: string,
  role: Role,
): Promise<TestMember> {
  const user = await createUser(backend.app, { email: uniqueEmail(role) });
  await addMember(sql, workspaceId, user.id, role);
  const session = await startSession(backend.app, user.id);
  return { user, session, api: sessionClient(backend.url, session, workspaceId) };
}

/** A backend with its own database, Redis prefix and SMTP server, and what tests read back from it. */
export interface PeopleBackend {
  database: TestDatabase;
  redis: TestRedis;
  mail: MailServer;
  backend: RunningBackend;
  api: ApiClient;
  /** The database as its owner (the backend's pool sees nothing outside a workspace). */
  sql: DataSource;
  eventsOf(workspaceId: string): Promise<{ type: string; data: Record<string, unknown> }[]>;
  auditOf(workspaceId: string): Promise<{ action: string; actor_type: string; actor_label: string }[]>;
  close(): Promise<void>;
}

export async function startPeopleBackend(): Promise<PeopleBackend> {
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  const mail = await startMailServer();
  const backend = await startBackend(
    testConfig(
      testEnvironment(
        { databaseUrl: database.url, queuePrefix: redis.prefix },
        { SMTP_URL: mail.url, RATE_LIMIT_AUTH_FAILURES: '1000' },
      ),
    ),
  );
  const sql = await database.sql();
  return {
    database,
    redis,
    mail,
    backend,
    api: new ApiClient(backend.url),
    sql,
    eventsOf: (workspaceId) =>
      sql.query(`SELECT type, data FROM events WHERE workspace_id = $1 ORDER BY id`, [workspaceId]),
    auditOf: (workspaceId) =>
      sql.query(`SELECT action, actor_type, actor_label FROM audit_log WHERE workspace_id = $1 ORDER BY id`, [
        workspaceId,
      ]),
    async close() {
      await backend.close();
      await mail.close();
      await redis.close();
      await database.drop();
    },
  };
}
