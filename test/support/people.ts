import { PasswordHasher, type Role } from '@app/shared';
import { randomBytes } from 'node:crypto';
import type { ApiClient, ApiResponse } from './api-client.js';
import type { TestDatabase } from './test-database.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

const hasher = new PasswordHasher();

/** A person with a password (none when `password` is null) and the given memberships, written with SQL. */
export async function newUser(
  database: TestDatabase,
  options: { email?: string; password?: string | null; memberships?: { workspaceId: string; role: Role }[] } = {},
): Promise<TestUser> {
  const email = options.email ?? `person-${randomBytes(5).toString('hex')}@example.com`;
  const password = options.password === undefined ? `pass-${randomBytes(8).toString('hex')}` : options.password;
  const sql = await database.sql();
  const [{ id }] = await sql.query<{ id: string }[]>(
    `INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id`,
    [email, password === null ? null : await hasher.hash(password)],
  );
  for (const membership of options.memberships ?? []) {
    await sql.query(`INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)`, [
      membership.workspaceId,
      id,
      membership.role,
    ]);
  }
  return { id, email, password: password ?? '' };
}

/** What a browser holds after signing in: the session cookie, and the CSRF token its script keeps. */
export interface Browser {
  token: string;
  csrfToken: string;
  /** Headers of a request this browser makes: the cookie, the CSRF token, and any `extra`. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** The `herald_session` cookie a response sets, with its attributes ('' when it sets none). */
export const sessionCookieOf = (response: ApiResponse): string =>
  response.headers.getSetCookie().find((cookie) => cookie.startsWith('herald_session=')) ?? '';

export function browserOf(response: ApiResponse): Browser {
  const token = /^herald_session=([^;]*)/.exec(sessionCookieOf(response))?.[1];
  if (response.status !== 200 || !token) {
    throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  const csrfToken: string = response.body.csrfToken;
  return {
    token,
    csrfToken,
    headers: (extra = {}) => ({ cookie: `herald_session=${token}`, 'x-csrf-token': csrfToken, ...extra }),
  };
}

/** Signs in through POST /v1/auth/login and returns the browser's session. */
export async function signIn(
  api: ApiClient,
  user: { email: string; password: string },
  headers: Record<string, string> = {},
): Promise<Browser> {
  return browserOf(await api.post('/v1/auth/login', { email: user.email, password: user.password }, headers));
}
