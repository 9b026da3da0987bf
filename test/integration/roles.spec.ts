import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_KEY_ROLES, type ApiKeyRole, generateApiKey, hashApiKey, type Role, roleAllows, ROLES } from '@app/shared';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AccessRule } from '../../apps/backend/src/auth/access.decorators.js';
import { ApiClient } from '../support/api-client.js';
import { newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { addMember, createUser, sessionHeaders, startSession } from '../support/people-backend.js';
import { servedRoutes, type ServedRoute } from '../support/served-routes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment, TEST_ADMIN_TOKEN } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/** Who a request comes from. Each request gets fresh credentials, so a route that ends a session or revokes a key spoils no other. */
type Caller =
  | { kind: 'anonymous' }
  | { kind: 'operator' }
  | { kind: 'session'; role: Role }
  /** Signed in, but no member of the workspace the request names. */
  | { kind: 'outsider' }
  | { kind: 'apiKey'; role: ApiKeyRole };

const CALLERS: Caller[] = [
  { kind: 'anonymous' },
  { kind: 'operator' },
  ...ROLES.map((role): Caller => ({ kind: 'session', role })),
  { kind: 'outsider' },
  ...API_KEY_ROLES.map((role): Caller => ({ kind: 'apiKey', role })),
];

const nameOf = (caller: Caller): string =>
  caller.kind === 'session'
    ? `${caller.role} session`
    : caller.kind === 'apiKey'
      ? `${caller.role} API key`
      : caller.kind;

/** What the caller must get from a route with `rule`: admitted (never 401/403), 401, or 403 naming `role`. */
type Expectation =
  { admitted: true } | { admitted: false; status: 401 } | { admitted: false; status: 403; names: string };

function expectation(rule: AccessRule, caller: Caller): Expectation {
  const refused401: Expectation = { admitted: false, status: 401 };
  switch (rule.kind) {
    case 'public':
      return { admitted: true };
    case 'operator':
      return caller.kind === 'operator' ? { admitted: true } : refused401;
    case 'signedIn':
      return caller.kind === 'session' || caller.kind === 'outsider' ? { admitted: true } : refused401;
    case 'workspace':
      switch (caller.kind) {
        case 'anonymous':
        case 'operator':
          return refused401;
        case 'outsider':
          return { admitted: false, status: 403, names: 'You are not a member of this workspace' };
        case 'session':
        case 'apiKey':
          return roleAllows(caller.role, rule.role)
            ? { admitted: true }
            : { admitted: false, status: 403, names: `needs the ${rule.role} role` };
      }
  }
}

/**
 * THE ROLES TEST: every route the backend serves, read from its router (so routes added later are
 * walked without editing this file), with every kind of caller: the route's access rule, read from
 * its metadata as the AccessGuard reads it, says who gets in; roles below the rule's get a 403 naming
 * the role needed, and those at or above it are never refused for who they are.
 */
describe('every route with every role', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let backend: RunningBackend;
  let sql: DataSource;
  let workspace: TestWorkspace;
  let routes: ServedRoute[];
  const members = new Map<Role, string>();
  let outsider: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    backend = await startBackend(
      testConfig(
        testEnvironment(
          { databaseUrl: database.url, queuePrefix: redis.prefix },
          // Hundreds of refusals from one address: the budgets must not be what answers.
          { RATE_LIMIT_AUTH_FAILURES: '100000', RATE_LIMIT_ADMIN_REQUESTS: '100000' },
        ),
      ),
    );
    sql = await database.sql();
    workspace = await newWorkspace(new ApiClient(backend.url), 'Roles');
    for (const role of ROLES) {
      const user = await createUser(backend.app);
      await addMember(sql, workspace.id, user.id, role);
      members.set(role, user.id);
    }
    outsider = (await createUser(backend.app)).id;
    routes = servedRoutes(backend.app);
  });

  afterAll(async () => {
    await backend?.close();
    await redis?.close();
    await database?.drop();
  });

  async function credentialsOf(caller: Caller): Promise<Record<string, string>> {
    switch (caller.kind) {
      case 'anonymous':
        return {};
      case 'operator':
        return { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      case 'session':
        return sessionHeaders(await startSession(backend.app, members.get(caller.role)!), workspace.id);
      case 'outsider':
        return sessionHeaders(await startSession(backend.app, outsider), workspace.id);
      case 'apiKey': {
        const key = generateApiKey();
        await sql.query(`INSERT INTO api_keys (workspace_id, key_hash, name, role) VALUES ($1, $2, $3, $4)`, [
          workspace.id,
          hashApiKey(key),
          `roles test ${caller.role}`,
          caller.role,
        ]);
        return { authorization: `Bearer ${key}` };
      }
    }
  }

  /** The route called with made-up ids and an empty body: enough for the guard, which decides before any of it is read. */
  async function call(route: ServedRoute, caller: Caller): Promise<{ status: number; message: string }> {
    const path = route.params.reduce((built, param) => built.replace(`:${param}`, randomUUID()), route.path);
    const withBody = route.body !== 'none' || !['GET', 'HEAD', 'DELETE'].includes(route.method);
    const response = await fetch(`${backend.url}${path}`, {
      method: route.method,
      redirect: 'manual',
      headers: { ...(withBody ? { 'content-type': 'application/json' } : {}), ...(await credentialsOf(caller)) },
      body: withBody ? '{}' : undefined,
    });
    const text = await response.text();
    let message: unknown;
    try {
      message = (JSON.parse(text) as { message?: unknown }).message;
    } catch {
      // Not an error body (a redirect, a file): no message to read.
    }
    return { status: response.status, message: typeof message === 'string' ? message : '' };
  }

  it('reads the routes from the router, these parts among them', () => {
    const served = routes.map((route) => `${route.method} ${route.path}`);
    for (const route of [
      'GET /v1/members',
      'POST /v1/invitations/accept',
      'DELETE /v1/workspace',
      'POST /v1/workspaces',
    ]) {
      expect(served).toContain(route);
    }
  });

  it('finds an access rule on every route', () => {
    expect(routes.filter((route) => !route.access).map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  it.each(CALLERS.map((caller) => [nameOf(caller), caller] as const))(
    'admits or refuses the %s on every route as its rule says',
    async (_, caller) => {
      const problems: string[] = [];
      for (const route of routes) {
        if (!route.access) continue;
        const expected = expectation(route.access, caller);
        const { status, message } = await call(route, caller);
        const where = `${route.method} ${route.path} (${JSON.stringify(route.access)}) answered ${status} "${message}"`;
        if (expected.admitted) {
          // A route's own guard (a signed media link's) may still refuse a request without its signature.
          const ownGuard = route.access.kind === 'public' && route.guards.length > 0;
          if ((status === 401 || status === 403) && !ownGuard) problems.push(`${where}: expected to be let in`);
        } else if (status !== expected.status) {
          problems.push(`${where}: expected ${expected.status}`);
        } else if (expected.status === 403 && !message.includes(expected.names)) {
          problems.push(`${where}: expected the refusal to say "${expected.names}"`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
