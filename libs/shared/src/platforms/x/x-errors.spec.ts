import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  type TwitterApiErrorData,
  type TwitterRateLimit,
} from 'twitter-api-v2';
import { classifyXError } from './x-errors.js';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const nowSeconds = NOW / 1000;

function responseError(
  code: number,
  data: TwitterApiErrorData,
  extra: { headers?: IncomingHttpHeaders; rateLimit?: TwitterRateLimit } = {},
): ApiResponseError {
  return new ApiResponseError(`Request failed with code ${code}`, {
    code,
    data,
    headers: extra.headers ?? {},
    rateLimit: extra.rateLimit,
    request: {} as ClientRequest,
    response: { statusCode: code } as IncomingMessage,
  });
}

/** Built the way twitter-api-v2 1.29 builds it: `{ request, error }` (its `requestError` getter then reads nothing). */
function requestError(cause: Error): ApiRequestError {
  return new ApiRequestError('Request failed.', { request: {} as ClientRequest, error: cause });
}

const problem = (status: number, title: string, detail: string): TwitterApiErrorData =>
  ({ title, detail, type: 'about:blank', status }) as TwitterApiErrorData;

describe('classifyXError', () => {
  describe('429', () => {
    it('is retryable, flagged rateLimited, and waits until x-rate-limit-reset', () => {
      const error = responseError(429, problem(429, 'Too Many Requests', 'Too Many Requests'), {
        rateLimit: { limit: 200, remaining: 0, reset: nowSeconds + 120 },
      });
      expect(classifyXError(error, NOW)).toEqual({
        kind: 'retryable',
        rateLimited: true,
        statusCode: 429,
        retryAfterMs: 120_000,
        message: 'X rate limit reached (429); resets at 2030-01-01T12:02:00.000Z',
      });
    });

    it('waits for an exhausted 24-hour user limit rather than the 15-minute window', () => {
      const error = responseError(429, problem(429, 'Too Many Requests', 'Too Many Requests'), {
        rateLimit: {
          limit: 200,
          remaining: 150,
          reset: nowSeconds + 60,
          userDay: { limit: 17, remaining: 0, reset: nowSeconds + 6 * 3600 },
        },
      });
      expect(classifyXError(error, NOW)).toMatchObject({
        kind: 'retryable',
        rateLimited: true,
        retryAfterMs: 6 * 3600 * 1000,
      });
    });

    it('falls back to Retry-After, in seconds or as a date', () => {
      const seconds = responseError(429, {}, { headers: { 'retry-after': '30' } });
      expect(classifyXError(seconds, NOW)).toMatchObject({
        kind: 'retryable',
        rateLimited: true,
        retryAfterMs: 30_000,
      });

      const date = responseError(429, {}, { headers: { 'retry-after': new Date(NOW + 45_000).toUTCString() } });
      expect(classifyXError(date, NOW).retryAfterMs).toBe(45_000);
    });

    it('says nothing about when when X did not say', () => {
      expect(classifyXError(responseError(429, {}), NOW)).toEqual({
        kind: 'retryable',
        rateLimited: true,
        statusCode: 429,
        retryAfterMs: undefined,
        message: 'X rate limit reached (429)',
      });
    });
  });

  it('treats 5xx as unknown (the post may have landed), quoting the detail', () => {
    const unavailable = responseError(503, problem(503, 'Service Unavailable', 'Service Unavailable'));
    expect(classifyXError(unavailable, NOW)).toEqual({
      kind: 'unknown',
      statusCode: 503,
      message: 'X server error (503): Service Unavailable',
    });
    expect(classifyXError(responseError(500, undefined as unknown as TwitterApiErrorData), NOW)).toEqual({
      kind: 'unknown',
      statusCode: 500,
      message: 'X server error (500)',
    });
  });

  it('treats 408 as unknown', () => {
    expect(classifyXError(responseError(408, {}), NOW)).toEqual({
      kind: 'unknown',
      statusCode: 408,
      message: 'X timed out the request (408)',
    });
  });

  it('never flags a non-429 answer as rate limited', () => {
    for (const status of [400, 401, 403, 408, 500, 503]) {
      expect(classifyXError(responseError(status, {}), NOW)).not.toHaveProperty('rateLimited');
    }
  });

  it('treats a duplicate (403) as permanent, flagged duplicate, with X’s explanation', () => {
    const duplicate = problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    expect(classifyXError(responseError(403, duplicate), NOW)).toStrictEqual({
      kind: 'permanent',
      statusCode: 403,
      duplicate: true,
      message: 'X rejected the post (403): You are not allowed to create a Tweet with duplicate content.',
    });
  });

  it('does not flag any other 403 as duplicate', () => {
    const forbidden = classifyXError(responseError(403, problem(403, 'Forbidden', 'Forbidden')), NOW);
    expect(forbidden).toStrictEqual({
      kind: 'permanent',
      statusCode: 403,
      message: 'X rejected the post (403): Forbidden',
    });
    expect(forbidden).not.toHaveProperty('duplicate');

    const suspended = problem(
      403,
      'Forbidden',
      'Your account is suspended and is not permitted to access this feature.',
    );
    expect(classifyXError(responseError(403, suspended), NOW)).not.toHaveProperty('duplicate');
    // Only a 403 means duplicate: the same words in another status do not.
    const invalid = problem(400, 'Invalid Request', 'duplicate content');
    expect(classifyXError(responseError(400, invalid), NOW)).not.toHaveProperty('duplicate');
  });

  it('treats 401 as a permanent credentials problem: the account needs reconnecting', () => {
    expect(classifyXError(responseError(401, problem(401, 'Unauthorized', 'Unauthorized')), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 401,
      credentialsRejected: true,
      message: 'X rejected the access token (401): Unauthorized',
    });
  });

  it('treats the token endpoint refusing a refresh token or code as rejected credentials', () => {
    const spent = { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' };
    expect(classifyXError(responseError(400, spent), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 400,
      credentialsRejected: true,
      message: 'X refused the authorization grant (400): Value passed for the token was invalid.',
    });
    expect(classifyXError(responseError(400, { error: 'invalid_grant' }), NOW)).toMatchObject({
      credentialsRejected: true,
      message: 'X refused the authorization grant (400): invalid_grant',
    });
  });

  it('does not flag credentials for other refusals', () => {
    for (const status of [400, 403, 404, 429, 500]) {
      expect(classifyXError(responseError(status, problem(status, 'Nope', 'Nope')), NOW)).not.toHaveProperty(
        'credentialsRejected',
      );
    }
    const unsupported = { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type [x].' };
    expect(classifyXError(responseError(400, unsupported), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 400,
      message: 'X rejected the post (400): Unsupported grant_type [x].',
    });
  });

  it('prefers the specific errors[].message over the generic detail of a 400', () => {
    const invalid = {
      errors: [{ message: '$.text: Tweet text is too long' }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    } as TwitterApiErrorData;
    expect(classifyXError(responseError(400, invalid), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 400,
      message: 'X rejected the post (400): $.text: Tweet text is too long',
    });
  });

  it('treats 404 and other 4xx as permanent, using the title when there is no detail', () => {
    expect(classifyXError(responseError(404, { title: 'Not Found Error' }), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 404,
      message: 'X rejected the post (404): Not Found Error',
    });
    expect(classifyXError(responseError(422, {}), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 422,
      message: 'X rejected the post (422)',
    });
  });

  it('treats requests that never left (refused, DNS, TLS) as retryable, naming the cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(classifyXError(requestError(refused), NOW)).toEqual({
      kind: 'retryable',
      message: 'Could not reach X: connect ECONNREFUSED 127.0.0.1:9',
    });

    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.x.com'), { code: 'ENOTFOUND' });
    expect(classifyXError(requestError(dns), NOW)).toEqual({
      kind: 'retryable',
      message: 'Could not reach X: getaddrinfo ENOTFOUND api.x.com',
    });
    const dnsAgain = Object.assign(new Error('getaddrinfo EAI_AGAIN api.x.com'), { code: 'EAI_AGAIN' });
    expect(classifyXError(requestError(dnsAgain), NOW).kind).toBe('retryable');

    const selfSigned = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classifyXError(requestError(selfSigned), NOW)).toEqual({
      kind: 'retryable',
      message: 'Could not reach X: self-signed certificate',
    });
    const expired = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(classifyXError(requestError(expired), NOW).kind).toBe('retryable');
  });

  it('treats a timeout as unknown: the request may have reached X', () => {
    expect(classifyXError(requestError(new Error('Request timeout.')), NOW)).toEqual({
      kind: 'unknown',
      message: 'Could not reach X: request timed out',
    });
  });

  it('treats a reset or dropped connection as unknown', () => {
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyXError(requestError(hangUp), NOW)).toEqual({
      kind: 'unknown',
      message: 'Could not reach X: socket hang up',
    });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyXError(requestError(reset), NOW)).toEqual({
      kind: 'unknown',
      message: 'Could not reach X: read ECONNRESET',
    });
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(classifyXError(requestError(pipe), NOW).kind).toBe('unknown');
  });

  it('treats a cut-off response as unknown', () => {
    const partial = new ApiPartialResponseError('Request failed with partial response', {
      request: {} as ClientRequest,
      response: { statusCode: 200 } as IncomingMessage,
      responseError: new Error('Unexpected end of JSON input'),
      rawContent: '{"data":',
    });
    expect(classifyXError(partial, NOW)).toEqual({
      kind: 'unknown',
      statusCode: 200,
      message: "X's response was cut off: Unexpected end of JSON input",
    });
  });

  it('treats anything else as unknown with its message', () => {
    expect(classifyXError(new TypeError('fetch failed'), NOW)).toEqual({ kind: 'unknown', message: 'fetch failed' });
    expect(classifyXError('boom', NOW)).toEqual({ kind: 'unknown', message: 'boom' });
    expect(classifyXError(new Error(''), NOW)).toEqual({ kind: 'unknown', message: 'Unknown error while calling X' });
  });

  it('never lets a bearer token through', () => {
    const leaky = classifyXError(new Error('sent Authorization: Bearer secret-token-123 and failed'), NOW);
    expect(leaky.message).toBe('sent Authorization: Bearer [redacted] and failed');

    const echoed = classifyXError(responseError(400, problem(400, 'Bad', 'Bearer secret-token-123 is malformed')), NOW);
    expect(echoed.message).not.toContain('secret-token-123');
  });
});
