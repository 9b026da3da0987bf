import { randomBytes } from 'node:crypto';
import { HttpProblem, type EmulatorRequest } from '../kit/emulator-server.js';

/** What the Graph API looks like on the wire: error bodies, tokens, parameters, field selection, times. */

export interface GraphErrorFields {
  message: string;
  code: number;
  subcode?: number;
  type?: string;
  userTitle?: string;
  userMessage?: string;
  transient?: boolean;
}

/** `{ error: { message, type, code, error_subcode, is_transient, error_user_title, error_user_msg, fbtrace_id } }` */
export function graphErrorBody(fields: GraphErrorFields) {
  return {
    error: {
      message: fields.message,
      type: fields.type ?? 'OAuthException',
      code: fields.code,
      ...(fields.subcode === undefined ? {} : { error_subcode: fields.subcode }),
      ...(fields.transient === undefined ? {} : { is_transient: fields.transient }),
      ...(fields.userTitle === undefined ? {} : { error_user_title: fields.userTitle }),
      ...(fields.userMessage === undefined ? {} : { error_user_msg: fields.userMessage }),
      fbtrace_id: randomBytes(8).toString('base64url'),
    },
  };
}

export const graphProblem = (status: number, fields: GraphErrorFields, headers: Record<string, string> = {}) =>
  new HttpProblem(status, graphErrorBody(fields), headers);

/** Graph's answers to bad tokens carry this header besides the code 190 body. */
const tokenProblem = (fields: GraphErrorFields) =>
  graphProblem(400, fields, { 'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${fields.message}"` });

export const missingToken = () =>
  graphProblem(400, { message: 'An access token is required to request this resource.', code: 104 });

export const invalidToken = () =>
  tokenProblem({ message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });

export const revokedToken = () =>
  tokenProblem({
    message:
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    code: 190,
    subcode: 460,
  });

export const expiredToken = (expiredAt: Date) =>
  tokenProblem({
    message: `Error validating access token: Session has expired on ${expiredAt.toUTCString()}. The current time is ${new Date().toUTCString()}.`,
    code: 190,
    subcode: 463,
  });

export const unsupportedRequest = (method: string, id: string) =>
  graphProblem(400, {
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
  });

export const invalidParameter = (message: string, subcode?: number) =>
  graphProblem(400, { message: `(#100) ${message}`, code: 100, subcode });

export const permissionError = (message: string) => graphProblem(403, { message: `(#200) ${message}`, code: 200 });

/** Graph's rate-limit answer: an error code (4 application, 17 user, 32 Page, 613 custom) with 400 or 403. */
export const rateLimitBody = (code = 4) => {
  const messages: Record<number, string> = {
    4: '(#4) Application request limit reached',
    17: '(#17) User request limit reached',
    32: '(#32) Page request limit reached',
    613: '(#613) Calls to this api have exceeded the rate limit.',
  };
  return graphErrorBody({ message: messages[code] ?? `(#${code}) Rate limit reached`, code, transient: true });
};

/**
 * The usage headers Graph sends with a throttled answer: X-App-Usage (percentages) and
 * X-Business-Use-Case-Usage, whose `estimated_time_to_regain_access` is in minutes.
 */
export function usageHeaders(resetInSeconds: number, businessId = '0'): Record<string, string> {
  const minutes = Math.max(1, Math.ceil(resetInSeconds / 60));
  const usage = { call_count: 100, total_cputime: 25, total_time: 25 };
  return {
    'x-app-usage': JSON.stringify(usage),
    'x-business-use-case-usage': JSON.stringify({
      [businessId]: [{ type: 'pages', ...usage, estimated_time_to_regain_access: minutes }],
    }),
  };
}

/** A parameter as Graph reads it: from the query string or the (form, multipart or JSON) body. */
export function param(request: EmulatorRequest, name: string): string | undefined {
  const fromBody = request.body?.[name];
  if (typeof fromBody === 'string') return fromBody;
  if (typeof fromBody === 'number' || typeof fromBody === 'boolean') return String(fromBody);
  return request.url.searchParams.get(name) ?? undefined;
}

/** Graph takes the token as `Authorization: Bearer|OAuth <token>` or as the `access_token` parameter. */
export function tokenOf(request: EmulatorRequest): string | undefined {
  const header = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  return header ?? param(request, 'access_token');
}

/** Graph booleans arrive as "true"/"false" (or 1/0). */
export const isTrue = (value: string | undefined) => value === 'true' || value === '1';

export function newAccessToken(): string {
  return `EAAG${randomBytes(36).toString('base64url').replace(/[-_]/g, 'Z')}`;
}

/** Graph's timestamp format: `2024-05-01T12:00:00+0000`. */
export const graphTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, '+0000');

/** A node of the graph as `GET /{id}` shows it: every field it has (undefined: not set), by type name. */
export interface GraphNode {
  type: string;
  fields: Record<string, unknown>;
  /** What Graph answers when the request names no `fields` (default: the id). */
  defaultFields?: string[];
}

type FieldSelection = Map<string, FieldSelection | null>;

/** Parses `fields=id,name,instagram_business_account{id,username}`. */
function parseFields(spec: string): FieldSelection {
  const selection: FieldSelection = new Map();
  const add = (part: string) => {
    const trimmed = part.trim();
    if (trimmed === '') return;
    const brace = trimmed.indexOf('{');
    if (brace < 0) selection.set(trimmed, null);
    else selection.set(trimmed.slice(0, brace).trim(), parseFields(trimmed.slice(brace + 1, trimmed.lastIndexOf('}'))));
  };
  let depth = 0;
  let start = 0;
  for (let index = 0; index < spec.length; index += 1) {
    const char = spec[index];
    if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      add(spec.slice(start, index));
      start = index + 1;
    }
  }
  add(spec.slice(start));
  return selection;
}

/**
 * The fields of `node` that the request's `fields` parameter asks for (or the node's defaults); `id` always
 * comes along. A field the node type does not have is an error, as on Graph.
 */
export function selectFields(node: GraphNode, request: EmulatorRequest): Record<string, unknown> {
  const spec = param(request, 'fields');
  const selection = spec ? parseFields(spec) : new Map((node.defaultFields ?? ['id']).map((name) => [name, null]));
  return pick(node, selection);
}

function pick(node: GraphNode, selection: FieldSelection): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, nested] of selection) {
    if (!(name in node.fields)) {
      throw invalidParameter(`Tried accessing nonexisting field (${name}) on node type (${node.type})`);
    }
    const value = node.fields[name];
    if (value === undefined) continue;
    // A related node comes as its id unless the request asks for its fields: `instagram_business_account{id,username}`.
    result[name] = isGraphNode(value) ? pick(value, nested ?? new Map([['id', null]])) : value;
  }
  if (node.fields.id !== undefined) result.id ??= node.fields.id;
  return result;
}

const isGraphNode = (value: unknown): value is GraphNode =>
  typeof value === 'object' && value !== null && 'type' in value && 'fields' in value;

/** A list answer: `{ data, paging }` with opaque cursors (offsets here) and `next` when there is more. */
export function graphList<T>(request: EmulatorRequest, items: T[], defaultLimit = 25) {
  const limit = Math.min(100, Math.max(1, Number(param(request, 'limit') ?? defaultLimit) || defaultLimit));
  const after = param(request, 'after');
  const offset = after ? Number(Buffer.from(after, 'base64url').toString()) || 0 : 0;
  const page = items.slice(offset, offset + limit);
  const cursor = (position: number) => Buffer.from(String(position)).toString('base64url');
  if (page.length === 0) return { data: [] };
  const hasMore = offset + limit < items.length;
  const next = new URL(request.url.href);
  next.searchParams.set('after', cursor(offset + limit));
  return {
    data: page,
    paging: {
      cursors: { before: cursor(offset), after: cursor(offset + page.length) },
      ...(hasMore ? { next: next.href } : {}),
    },
  };
}

/** The image type from the file's first bytes, as Graph decides it (not from names or headers). */
export function sniffImageType(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (/^GIF8[79]a/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}

export type FetchedMedia = { ok: true; bytes: Buffer } | { ok: false; reason: 'unreachable' | 'too-large' };

/** Downloads a media URL the way Graph does ("we will cURL your media"), refusing files over `maxBytes`. */
export async function fetchMedia(url: string, maxBytes: number): Promise<FetchedMedia> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  if (!response.ok) return { ok: false, reason: 'unreachable' };
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    return { ok: false, reason: 'too-large' };
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  return bytes.length > maxBytes ? { ok: false, reason: 'too-large' } : { ok: true, bytes };
}

/** `POST /v25.0/123/feed` and `/123/feed` alike: Graph accepts calls without a version. */
export const graphPath = (pattern: string) => new RegExp(`^(?:/v\\d+\\.\\d+)?${pattern}/?$`);
