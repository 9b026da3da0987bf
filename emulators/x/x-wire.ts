import { createHash, randomBytes } from 'node:crypto';
import twitterText from 'twitter-text';
import { HttpProblem } from '../kit/emulator-server.js';

/** What the X API v2 looks like on the wire: error bodies, ids, users, tokens, rendered text. */

export const X_MAX_WEIGHTED_LENGTH = 280;
const TWITTER_EPOCH_MS = 1288834974657n;

export const unauthorized = () =>
  new HttpProblem(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });

/** X's answer to a request that breaks a parameter rule; `parameters` names the offending values. */
export const invalidRequest = (message: string, parameters?: Record<string, string[]>) =>
  new HttpProblem(400, {
    errors: [{ ...(parameters ? { parameters } : {}), message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });

/** Media ids that do not exist, are not finished, have expired or belong to someone else. */
export const invalidMediaIds = (ids: string[]) =>
  invalidRequest('Your media IDs are invalid.', { 'media.media_ids': ids });

const forbidden = (detail: string) =>
  new HttpProblem(403, { detail, type: 'about:blank', title: 'Forbidden', status: 403 });

export const duplicateContent = () => forbidden('You are not allowed to create a Tweet with duplicate content.');

export const replyNotVisible = () =>
  forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.');

/** The OAuth 2.0 endpoints answer in RFC 6749's shape, not the API's problem details. */
export const oauthProblem = (status: number, error: string, description: string) =>
  new HttpProblem(status, { error, error_description: description });

/** X's body for an injected fault, or for a request the emulator cannot take (`message` says why). */
export function faultBody(status: number, message: string): unknown {
  const problem = (title: string, detail = title) => ({ title, detail, type: 'about:blank', status });
  if (status === 400) return invalidRequest(message).body;
  if (status === 401) return unauthorized().body;
  if (status === 404) {
    return {
      errors: [{ message }],
      title: 'Not Found Error',
      detail: 'The requested resource could not be found.',
      type: 'https://api.twitter.com/2/problems/resource-not-found',
    };
  }
  if (status === 403) return problem('Forbidden');
  if (status === 429) return problem('Too Many Requests');
  if (status >= 500) return problem('Service Unavailable');
  return problem('Error', message);
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface XUser {
  id: string;
  name: string;
  username: string;
}

/** The user a token belongs to when the emulator did not issue it: derived deterministically from the token. */
export function userForToken(token: string): XUser {
  const hash = sha256(token);
  return {
    id: BigInt(`0x${hash.slice(0, 15)}`).toString(),
    name: `Emulated ${hash.slice(0, 8)}`,
    username: `user_${hash.slice(0, 8)}`,
  };
}

/** Snowflake-like ids: numeric strings from the clock, strictly increasing. */
export function snowflakes(): () => string {
  let last = 0n;
  return () => {
    const candidate = (BigInt(Date.now()) - TWITTER_EPOCH_MS) << 22n;
    last = candidate > last ? candidate : last + 1n;
    return last.toString();
  };
}

/** OAuth 2.0 tokens shaped like X's: base64 of `<random>:<issued ms>:1:1:<at|rt|ac>:1`. */
export function oauthToken(kind: 'at' | 'rt' | 'ac'): string {
  return Buffer.from(`${randomBytes(24).toString('base64url')}:${Date.now()}:1:1:${kind}:1`).toString('base64url');
}

export const weightedLength = (text: string) => twitterText.parseTweet(text).weightedLength;

/**
 * X returns text with URLs wrapped as t.co links and &, <, > escaped as HTML entities; a post with media
 * ends with one more t.co link, to its photos.
 */
export function renderText(text: string, mediaKeys: readonly string[] = []): string {
  let rendered = '';
  let cursor = 0;
  for (const { url, indices } of twitterText.extractUrlsWithIndices(text)) {
    rendered += text.slice(cursor, indices[0]) + tcoLink(url);
    cursor = indices[1];
  }
  rendered += text.slice(cursor);
  if (mediaKeys.length > 0) rendered += `${rendered === '' ? '' : ' '}${tcoLink(mediaKeys.join(','))}`;
  return rendered.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const tcoLink = (target: string) => `https://t.co/${sha256(target).slice(0, 10)}`;
