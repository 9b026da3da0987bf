import type { HttpErrorDialect } from '../http/platform-http.js';

/** Discord's error answer: `{ message, code, errors? }`; a 429's is `{ message, retry_after, global }`. */
interface DiscordErrorBody {
  message?: unknown;
  code?: unknown;
  errors?: unknown;
  retry_after?: unknown;
}

/** The webhook was deleted (Discord answers 404): nothing can be posted through it again. */
const UNKNOWN_WEBHOOK = 10015;

const bodyOf = (data: unknown): DiscordErrorBody | undefined =>
  typeof data === 'object' && data !== null ? data : undefined;

export const DISCORD_ERRORS: HttpErrorDialect = {
  platform: 'Discord',
  describe: (data) => {
    const body = bodyOf(data);
    if (typeof body?.message !== 'string') return undefined;
    const code = typeof body.code === 'number' && body.code !== 0 ? ` (${body.code})` : '';
    const fields = fieldErrors(body.errors);
    return `${body.message}${code}${fields.length > 0 ? `: ${fields.join('; ')}` : ''}`;
  },
  rejectsCredentials: (status, _detail, data) => status === 401 || bodyOf(data)?.code === UNKNOWN_WEBHOOK,
  // More precise than the headers: seconds with milliseconds (Retry-After is rounded up to whole seconds).
  retryAfterMsFromBody: (data) => {
    const seconds = bodyOf(data)?.retry_after;
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
      ? Math.ceil(seconds * 1000)
      : undefined;
  },
};

/**
 * The field problems of an "Invalid Form Body" (50035) answer, whose `errors` is a tree keyed by field
 * and index with `_errors: [{ code, message }]` at the leaves: "attachments.0.description: Must be 1024
 * or fewer in length."
 */
function fieldErrors(errors: unknown, path: string[] = []): string[] {
  if (!errors || typeof errors !== 'object') return [];
  return Object.entries(errors).flatMap(([key, value]) =>
    key === '_errors' && Array.isArray(value)
      ? value.map((item: { message?: unknown }) => `${path.join('.') || 'body'}: ${messageOf(item)}`)
      : fieldErrors(value, [...path, key]),
  );
}

const messageOf = (item: { message?: unknown } | null): string =>
  typeof item?.message === 'string' ? item.message : JSON.stringify(item);
