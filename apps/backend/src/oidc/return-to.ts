/** Where a person lands after signing in when the sign-in named nowhere. */
export const DEFAULT_RETURN_TO = '/';

const MAX_LENGTH = 2048;

/**
 * The path to send a person back to after signing in, or null when `value` is not a path on this site:
 * it must start with one `/` (`//host` and `/\host` are other sites to a browser), hold no backslash,
 * whitespace or control character, and stay on the same origin once resolved. Anything else could turn
 * the sign-in into an open redirect.
 */
export function safeReturnTo(value: string): string | null {
  if (value.length === 0 || value.length > MAX_LENGTH) return null;
  if (!value.startsWith('/') || value.startsWith('//')) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\\s\u0000-\u001f\u007f]/.test(value)) return null;
  const base = 'http://herald.invalid';
  const resolved = new URL(value, base);
  if (resolved.origin !== base) return null;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
