import { randomBytes } from 'node:crypto';
import { HttpProblem } from '../kit/emulator-server.js';

/**
 * What the Threads API (graph.threads.net) looks like on the wire: Graph-style error bodies, its
 * limits as Meta documents them, ids, tokens, timestamps and permalinks.
 */

export const API_VERSION = 'v1.0';
export const MAX_TEXT_LENGTH = 500;
export const MAX_LINKS = 5;
export const MAX_ALT_TEXT_LENGTH = 1000;
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
export const MIN_CAROUSEL_ITEMS = 2;
export const MAX_CAROUSEL_ITEMS = 20;
/** Published posts per profile in a moving 24 hours; replies have their own quota. */
export const POST_QUOTA = 250;
export const REPLY_QUOTA = 1000;
export const QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Containers not published within 24 hours expire. */
export const CONTAINER_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const SHORT_LIVED_TOKEN_SECONDS = 60 * 60;
export const LONG_LIVED_TOKEN_SECONDS = 60 * 24 * 60 * 60;
/** Long-lived tokens can be refreshed once they are a day old. */
export const MIN_REFRESH_AGE_MS = 24 * 60 * 60 * 1000;
export const AUTHORIZATION_CODE_LIFETIME_MS = 60 * 60 * 1000;
export const PERMISSIONS = [
  'threads_basic',
  'threads_content_publish',
  'threads_manage_replies',
  'threads_read_replies',
  'threads_manage_insights',
] as const;

export interface GraphError {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
}

/** Graph answers errors as `{ error: { message, type, code, error_subcode, fbtrace_id } }`, mostly with HTTP 400. */
export function graphProblem(status: number, error: GraphError, headers: Record<string, string> = {}): HttpProblem {
  return new HttpProblem(status, graphErrorBody(error), headers);
}

export function graphErrorBody(error: GraphError): unknown {
  return { error: { type: 'OAuthException', ...error, fbtrace_id: randomBytes(12).toString('base64url') } };
}

export const invalidParameter = (message: string, subcode?: number) =>
  graphProblem(400, { message: `(#100) ${message}`, code: 100, ...(subcode ? { error_subcode: subcode } : {}) });

export const missingPermission = () =>
  graphProblem(403, { message: '(#10) Application does not have permission for this action', code: 10 });

/** Graph's answer for an object that does not exist or that the token may not see. */
export const unsupportedRequest = (method: string, id: string) =>
  graphProblem(400, {
    message:
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to ` +
      'missing permissions, or does not support this operation.',
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });

/** A rejected token: code 190, with the WWW-Authenticate header Graph sends along. */
export function invalidToken(message: string, subcode?: number): HttpProblem {
  return graphProblem(
    400,
    { message, code: 190, ...(subcode ? { error_subcode: subcode } : {}) },
    { 'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${message.replace(/"/g, "'")}"` },
  );
}

export const missingToken = () =>
  graphProblem(400, { message: 'An access token is required to request this resource.', code: 104 });

/** The body for an injected fault of `status` (or an unknown route). */
export function faultBody(status: number, message: string): unknown {
  if (status === 401)
    return graphErrorBody({ message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
  if (status === 403)
    return graphErrorBody({ message: '(#10) Application does not have permission for this action', code: 10 });
  if (status === 404) return graphErrorBody({ message: `(#803) ${message}`, code: 803 });
  if (status === 429) {
    return graphErrorBody({ message: '(#4) Application request limit reached', code: 4, is_transient: true });
  }
  if (status >= 500) {
    return graphErrorBody({
      message: 'An unexpected error has occurred. Please retry your request later.',
      code: 2,
      is_transient: true,
    });
  }
  return graphErrorBody({ message: `(#100) ${message}`, code: 100 });
}

/** Meta reports app usage in percent; there is no header saying when a limit lifts. */
export function appUsageHeaders(): Record<string, string> {
  return { 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 }) };
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

/** "Text posts are limited to 500 characters; emojis are counted as the number of UTF-8 bytes." */
export function threadsTextLength(text: string): number {
  let length = 0;
  for (const { segment } of segmenter.segment(text)) {
    length += EMOJI.test(segment) ? Buffer.byteLength(segment, 'utf8') : [...segment].length;
  }
  return length;
}

/** "All unique URLs found in the text field are counted as links." */
export function countLinks(text: string): number {
  const urls = text.match(/\b(?:https?:\/\/|www\.)[^\s<>"]+/gi) ?? [];
  return new Set(urls.map((url) => url.replace(/[.,;:!?)\]]+$/, '').toLowerCase())).size;
}

/** Graph timestamps: `2024-05-01T12:00:00+0000`. */
export function graphTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Threads ids: 17-digit numeric strings, strictly increasing. */
export function numericIds(start: bigint): () => string {
  let next = start;
  return () => (next += 1n + BigInt(Math.floor(Math.random() * 1000))).toString();
}

export function newToken(): string {
  return `TH${randomBytes(48).toString('base64url')}`;
}

export function newCode(): string {
  return `AQ${randomBytes(32).toString('base64url')}`;
}

/** Permalinks use a shortcode, not the numeric id. */
export function shortcodeFor(id: string): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(id));
  return bytes.toString('base64url');
}

/** The formats Threads accepts for images, from their first bytes. */
export function sniffImage(bytes: Buffer): 'image/jpeg' | 'image/png' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  return undefined;
}

/** Graph pages: `{ data, paging: { cursors: { before, after }, next } }`; cursors are opaque. */
export function page<T>(items: T[], offset: number, limit: number, nextUrl: (after: string) => string) {
  const slice = items.slice(offset, offset + limit);
  const cursor = (position: number) => Buffer.from(`offset:${position}`).toString('base64url');
  const hasMore = offset + limit < items.length;
  return {
    data: slice,
    ...(slice.length > 0
      ? {
          paging: {
            cursors: { before: cursor(offset), after: cursor(offset + slice.length) },
            ...(hasMore ? { next: nextUrl(cursor(offset + slice.length)) } : {}),
          },
        }
      : {}),
  };
}

export function offsetFromCursor(cursor: string | null): number {
  if (!cursor) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw invalidParameter('Invalid pagination cursor');
  return Number(match[1]);
}
