import { DomainError, type FieldProblem } from '../../errors/domain-error.js';
import type { AccountIdentity } from '../platform-provider.js';

/**
 * An OAuth 2.0 user-context access token (scopes `tweet.read tweet.write users.read media.write`), with the
 * refresh token and expiry X issues alongside it when `offline.access` was granted.
 */
export interface XCredentials {
  accessToken: string;
  refreshToken?: string;
  /** ISO 8601 time the access token stops working (X's access tokens live 2 hours). */
  expiresAt?: string;
}

const FIELDS = ['accessToken', 'refreshToken', 'expiresAt'];

/** Checks credentials given to `POST /v1/accounts`; throws a validation DomainError naming every problem. */
export function parseXCredentials(input: unknown): XCredentials {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];
  const accessToken = readToken(object, 'accessToken', problems, { required: true });
  const refreshToken = readToken(object, 'refreshToken', problems, { required: false });
  const expiresAt = readTime(object, 'expiresAt', problems);
  for (const key of Object.keys(object).filter((key) => !FIELDS.includes(key))) {
    problems.push({ field: `credentials.${key}`, message: `is not accepted for X (only ${FIELDS.join(', ')})` });
  }
  if (problems.length > 0) throw DomainError.validation(problems);
  return {
    accessToken: accessToken!,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

function readToken(
  object: Record<string, unknown>,
  key: string,
  problems: FieldProblem[],
  { required }: { required: boolean },
): string | undefined {
  const value = object[key];
  const field = `credentials.${key}`;
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'must be a non-empty string' });
    return undefined;
  }
  if (/\s/.test(value.trim())) {
    problems.push({ field, message: 'must not contain whitespace' });
    return undefined;
  }
  return value.trim();
}

function readTime(object: Record<string, unknown>, key: string, problems: FieldProblem[]): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    problems.push({ field: `credentials.${key}`, message: 'must be an ISO 8601 date-time' });
    return undefined;
  }
  return new Date(time).toISOString();
}

/** Who an X user is, in Herald's terms: the user id, and the @handle people know. */
export function xIdentity(user: { id: string; username: string }): AccountIdentity {
  return { externalId: user.id, displayName: `@${user.username}` };
}
