import { DomainError, type FieldProblem } from '../../errors/domain-error.js';

/** A user access token (scopes `read:accounts read:statuses write:statuses write:media`) on one instance. */
export interface MastodonCredentials {
  /** The instance's origin, e.g. `https://mastodon.social`. */
  instanceUrl: string;
  accessToken: string;
}

const FIELDS = ['instanceUrl', 'accessToken'];

/** Checks `{ instanceUrl, accessToken }` and normalises the instance URL to its origin. */
export function parseMastodonCredentials(input: unknown): MastodonCredentials {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = Object.keys(object)
    .filter((key) => !FIELDS.includes(key))
    .map((key) => ({
      field: `credentials.${key}`,
      message: 'is not accepted for Mastodon (only instanceUrl, accessToken)',
    }));

  const instance = instanceOrigin(object.instanceUrl);
  if (typeof instance !== 'string') problems.push({ field: 'credentials.instanceUrl', message: instance.problem });

  const token = typeof object.accessToken === 'string' ? object.accessToken.trim() : '';
  if (token === '') {
    problems.push({ field: 'credentials.accessToken', message: 'must be a non-empty string (a user access token)' });
  } else if (/\s/.test(token)) {
    problems.push({ field: 'credentials.accessToken', message: 'must not contain whitespace' });
  }

  if (problems.length > 0 || typeof instance !== 'string') throw DomainError.validation(problems);
  return { instanceUrl: instance, accessToken: token };
}

/** `mastodon.social`, `https://mastodon.social/` → `https://mastodon.social`; anything more than an origin is refused. */
function instanceOrigin(value: unknown): string | { problem: string } {
  if (typeof value !== 'string' || value.trim() === '') {
    return { problem: 'must be the address of a Mastodon instance, e.g. https://mastodon.social' };
  }
  const trimmed = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: 'is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'must be an https:// (or http://) URL' };
  if (url.username !== '' || url.password !== '') return { problem: 'must not contain credentials' };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(trimmed)) {
    return { problem: 'must be the instance itself, without a path, query or fragment (e.g. https://mastodon.social)' };
  }
  return url.origin;
}
