import { DomainError, type FieldProblem } from '../../errors/domain-error.js';

/** A signed-in session (com.atproto.server.createSession), kept with the credentials once made. */
export interface BlueskySession {
  did: string;
  handle: string;
  accessJwt: string;
  refreshJwt: string;
}

/**
 * What `POST /v1/accounts` takes for Bluesky: `{ identifier, appPassword }`. Stored credentials also
 * carry the current session, which the scheduler renews before its access token expires.
 */
export interface BlueskyCredentials {
  /** Handle (alice.bsky.social), DID or the account's email. */
  identifier: string;
  appPassword: string;
  session?: BlueskySession;
}

// Handle syntax from the atproto spec: dot-separated labels, the last one not starting with a digit.
const HANDLE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** How a PDS words app passwords: four groups of four (base32, lowercase on bsky.social). */
const APP_PASSWORD = /^[a-zA-Z0-9]{4}(-[a-zA-Z0-9]{4}){3}$/;
const FIELDS = new Set(['identifier', 'appPassword', 'session']);

/** Checks credentials as given to `POST /v1/accounts` or as stored (with a session). */
export function parseBlueskyCredentials(input: unknown): BlueskyCredentials {
  const object = isObject(input) ? input : {};
  const problems: FieldProblem[] = Object.keys(object)
    .filter((key) => !FIELDS.has(key))
    .map((key) => ({ field: `credentials.${key}`, message: 'is not accepted for Bluesky (identifier, appPassword)' }));

  const identifier = typeof object.identifier === 'string' ? normalizeIdentifier(object.identifier) : '';
  if (!isIdentifier(identifier)) {
    problems.push({
      field: 'credentials.identifier',
      message: 'must be the account’s handle (alice.bsky.social), DID (did:plc:…) or email',
    });
  }
  const appPassword = typeof object.appPassword === 'string' ? object.appPassword.trim() : '';
  if (!APP_PASSWORD.test(appPassword)) {
    problems.push({
      field: 'credentials.appPassword',
      message:
        'must be an app password (xxxx-xxxx-xxxx-xxxx, made under Settings → Privacy and security → App passwords), ' +
        'never the account password',
    });
  }
  const session = object.session === undefined ? undefined : parseSession(object.session, problems);
  if (problems.length > 0) throw DomainError.validation(problems);
  return { identifier, appPassword, ...(session ? { session } : {}) };
}

/** When a JWT expires (and was issued), read from its payload without verifying it: it is ours to use, not to trust. */
export function jwtLifetime(jwt: string): { issuedAt?: number; expiresAt: number } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    if (!isObject(payload) || typeof payload.exp !== 'number') return undefined;
    const issuedAt = typeof payload.iat === 'number' ? payload.iat * 1000 : undefined;
    return { expiresAt: payload.exp * 1000, ...(issuedAt === undefined ? {} : { issuedAt }) };
  } catch {
    return undefined;
  }
}

/** People write handles as "@alice.bsky.social"; the PDS would take that for an email and refuse it. */
function normalizeIdentifier(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('@') && !trimmed.slice(1).includes('@') ? trimmed.slice(1) : trimmed;
}

function isIdentifier(value: string): boolean {
  if (value === '' || value.length > 2048) return false;
  if (value.startsWith('did:')) return DID.test(value);
  if (value.includes('@')) return EMAIL.test(value);
  return value.length <= 253 && HANDLE.test(value);
}

function parseSession(value: unknown, problems: FieldProblem[]): BlueskySession | undefined {
  const session = isObject(value) ? value : {};
  const text = (key: string) => (typeof session[key] === 'string' ? session[key] : '');
  const parsed = {
    did: text('did'),
    handle: text('handle'),
    accessJwt: text('accessJwt'),
    refreshJwt: text('refreshJwt'),
  };
  const valid = DID.test(parsed.did) && parsed.handle !== '' && parsed.accessJwt !== '' && parsed.refreshJwt !== '';
  if (!valid) {
    problems.push({ field: 'credentials.session', message: 'must be a session Herald made (did, handle, JWTs)' });
    return undefined;
  }
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
