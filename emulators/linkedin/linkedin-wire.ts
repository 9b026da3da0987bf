import { createHash, randomBytes } from 'node:crypto';
import { HttpProblem } from '../kit/emulator-server.js';

/**
 * What LinkedIn's APIs look like on the wire: error bodies, API versions, URNs, members, and the
 * "little" text format of post commentary.
 */

export const MAX_COMMENTARY_LENGTH = 3000;
export const MAX_ALT_TEXT_LENGTH = 4086;
export const MIN_MULTI_IMAGES = 2;
export const MAX_MULTI_IMAGES = 20;
/** Access tokens live 60 days, refresh tokens a year. */
export const ACCESS_TOKEN_SECONDS = 60 * 24 * 3600;
export const REFRESH_TOKEN_SECONDS = 365 * 24 * 3600;

/** Rest.li errors: `{ status, serviceErrorCode, code, message }`. */
export const restliError = (status: number, code: string, message: string, serviceErrorCode?: number) =>
  new HttpProblem(status, { status, ...(serviceErrorCode === undefined ? {} : { serviceErrorCode }), code, message });

export type TokenProblem = 'invalid' | 'revoked' | 'expired';

export function unauthorized(problem: TokenProblem): HttpProblem {
  switch (problem) {
    case 'revoked':
      return restliError(
        401,
        'REVOKED_ACCESS_TOKEN',
        'The token used in the request has been revoked by the user',
        65601,
      );
    case 'expired':
      return restliError(401, 'EXPIRED_ACCESS_TOKEN', 'The token used in the request has expired', 65602);
    case 'invalid':
      return restliError(401, 'INVALID_ACCESS_TOKEN', 'Invalid access token', 65600);
  }
}

export const accessDenied = (resource: string) =>
  restliError(403, 'ACCESS_DENIED', `Not enough permissions to access: ${resource}`, 100);

/** Schema violations in a create request, as the Posts API reports them. */
export const unprocessable = (problems: string[]) =>
  new HttpProblem(422, { message: problems.map((problem) => `ERROR :: ${problem}\n`).join(''), status: 422 });

/** Business-rule refusals from the content service (text too long, duplicates...). */
export function contentRefusal(
  status: number,
  message: string,
  inputError: { code: string; description: string; input?: unknown; maxLength?: number },
): HttpProblem {
  return new HttpProblem(status, {
    errorDetailType: 'com.linkedin.common.error.BadRequest',
    message: `com.linkedin.content.common.exception.BadRequestResponseException: ${message}`,
    errorDetails: { inputErrors: [{ input: {}, ...inputError }] },
    status,
  });
}

/** OAuth 2.0 token endpoint errors (RFC 6749 §5.2). */
export const oauthError = (status: number, error: string, description: string) =>
  new HttpProblem(status, { error, error_description: description });

export function faultBody(status: number, message: string): unknown {
  if (status === 401) return unauthorized('invalid').body;
  if (status === 403) return accessDenied('partnerApiPostsExternal.CREATE').body;
  if (status === 429) {
    return restliError(
      429,
      'TOO_MANY_REQUESTS',
      'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
      101,
    ).body;
  }
  if (status >= 500) return { message: status === 503 ? 'Service Unavailable' : 'Internal Server Error', status };
  return { message, status };
}

/**
 * Every versioned call (`/rest/...`) must name a version (YYYYMM, optionally `.NN`). Versions are
 * monthly; each is served for a year and sunset around the middle of its month a year later.
 */
export function checkVersion(header: string | string[] | undefined, now: Date): void {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') {
    throw restliError(
      400,
      'VERSION_MISSING',
      'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
    );
  }
  const match = /^(\d{4})(\d{2})(?:\.\d{2})?$/.exec(value.trim());
  if (!match) throw restliError(400, 'INVALID_VERSION', `Invalid version format ${value.trim()}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const released = Date.UTC(year, month - 1, 1);
  const sunset = Date.UTC(year + 1, month - 1, 15);
  if (month < 1 || month > 12 || released > now.getTime() || sunset <= now.getTime()) {
    throw restliError(426, 'NONEXISTENT_VERSION', `Requested version ${match[1]}${match[2]}01 is not active`);
  }
}

export function checkRestliProtocol(header: string | string[] | undefined): void {
  const value = Array.isArray(header) ? header[0] : header;
  if (value?.trim() !== '2.0.0') {
    throw restliError(400, 'ILLEGAL_ARGUMENT', 'X-Restli-Protocol-Version 2.0.0 is required for this resource');
  }
}

export interface Member {
  /** The OpenID subject; the member's URN is `urn:li:person:<sub>`. */
  sub: string;
  givenName: string;
  familyName: string;
}

const base64url = (data: Buffer) => data.toString('base64url').replace(/[-_]/g, 'x');

/** A member made up from a seed (a token nobody issued still belongs to someone: the same one every time). */
export function memberFromSeed(seed: string): Member {
  const hash = createHash('sha256').update(seed).digest();
  return {
    sub: base64url(hash).slice(0, 10),
    givenName: 'Emulated',
    familyName: `Member ${hash.toString('hex', 0, 3)}`,
  };
}

export const personUrn = (member: Member) => `urn:li:person:${member.sub}`;
export const randomToken = (prefix: string, bytes = 24) => `${prefix}${base64url(randomBytes(bytes))}`;
export const imageUrn = () => `urn:li:image:D4E10AQ${base64url(randomBytes(12))}`;

/** The image formats the Images API processes, recognised from their first bytes. */
export function sniffImage(data: Buffer): 'image/jpeg' | 'image/png' | 'image/gif' | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  const head = data.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'image/gif';
  return undefined;
}

const RESERVED = new Set(['\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~']);
const HASHTAG = /^#([\p{L}\p{N}\p{M}]+)/u;
const HASHTAG_TEMPLATE = /^\{hashtag\|[#＃]\|([^{}|\\]+)\}/;
const MENTION = /^@\[([^\]\\]+)\]\((urn:li:(?:person|organization):[\w-]+)\)/;

/**
 * The text a member sees for a `commentary` in little format: escapes resolved, hashtags, hashtag
 * templates and mentions rendered. Like LinkedIn, a reserved character that starts no element and is
 * not escaped silently cuts the text there (the post is published, truncated).
 */
export function renderLittleText(commentary: string): { text: string; truncated: boolean } {
  let text = '';
  let index = 0;
  while (index < commentary.length) {
    const rest = commentary.slice(index);
    const char = commentary[index];
    if (char === '\\' && index + 1 < commentary.length) {
      const escaped = String.fromCodePoint(commentary.codePointAt(index + 1)!);
      text += escaped;
      index += 1 + escaped.length;
      continue;
    }
    const element = HASHTAG_TEMPLATE.exec(rest) ?? HASHTAG.exec(rest) ?? MENTION.exec(rest);
    if (element) {
      text += element[0].startsWith('@') ? element[1] : `#${element[1]}`;
      index += element[0].length;
      continue;
    }
    if (RESERVED.has(char)) return { text, truncated: true };
    text += char;
    index += 1;
  }
  return { text, truncated: false };
}
