import { createHash } from 'node:crypto';
import twitterText from 'twitter-text';

/** What the X API v2 looks like on the wire: error bodies, ids, users, rendered text. */

export const X_MAX_WEIGHTED_LENGTH = 280;
const TWITTER_EPOCH_MS = 1288834974657n;

/** An answer other than success, carrying X's status and body. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
  ) {
    super(`HTTP ${status}`);
  }
}

export const unauthorized = () =>
  new HttpProblem(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });

export const invalidRequest = (message: string) =>
  new HttpProblem(400, {
    errors: [{ message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });

export const duplicateContent = () =>
  new HttpProblem(403, {
    detail: 'You are not allowed to create a Tweet with duplicate content.',
    type: 'about:blank',
    title: 'Forbidden',
    status: 403,
  });

export const notFound = (method: string | undefined, path: string) =>
  new HttpProblem(404, {
    errors: [{ message: `The requested resource ${method} ${path} could not be found.` }],
    title: 'Not Found Error',
    detail: 'The requested resource could not be found.',
    type: 'https://api.twitter.com/2/problems/resource-not-found',
  });

export function faultBody(status: number): object {
  const problem = (title: string, detail = title) => ({ title, detail, type: 'about:blank', status });
  if (status === 401) return unauthorized().body;
  if (status === 403) return problem('Forbidden');
  if (status === 429) return problem('Too Many Requests');
  if (status >= 500) return problem('Service Unavailable');
  return problem('Error', `Emulated failure with status ${status}`);
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The user a token belongs to: any token is a user, derived deterministically from the token. */
export function userForToken(token: string): { id: string; name: string; username: string } {
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

export const weightedLength = (text: string) => twitterText.parseTweet(text).weightedLength;

/** X returns text with URLs wrapped as t.co links and &, <, > escaped as HTML entities. */
export function renderText(text: string): string {
  let rendered = '';
  let cursor = 0;
  for (const { url, indices } of twitterText.extractUrlsWithIndices(text)) {
    rendered += text.slice(cursor, indices[0]) + `https://t.co/${sha256(url).slice(0, 10)}`;
    cursor = indices[1];
  }
  rendered += text.slice(cursor);
  return rendered.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
