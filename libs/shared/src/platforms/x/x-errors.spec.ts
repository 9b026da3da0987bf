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
    it('is transient and waits until x-rate-limit-reset', () => {
      const error = responseError(429, problem(429, 'Too Many Requests', 'Too Many Requests'), {
        rateLimit: { limit: 200, remaining: 0, reset: nowSeconds + 120 },
      });
      expect(classifyXError(error, NOW)).toEqual({
        kind: 'transient',
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
      expect(classifyXError(error, NOW).retryAfterMs).toBe(6 * 3600 * 1000);
    });

    it('falls back to Retry-After, in seconds or as a date', () => {
      const seconds = responseError(429, {}, { headers: { 'retry-after': '30' } });
      expect(classifyXError(seconds, NOW)).toMatchObject({ kind: 'transient', retryAfterMs: 30_000 });

      const date = responseError(429, {}, { headers: { 'retry-after': new Date(NOW + 45_000).toUTCString() } });
      expect(classifyXError(date, NOW).retryAfterMs).toBe(45_000);
    });

    it('says nothing about when when X did not say', () => {
      expect(classifyXError(responseError(429, {}), NOW)).toEqual({
        kind: 'transient',
        statusCode: 429,
        retryAfterMs: undefined,
        message: 'X rate limit reached (429)',
      });
    });
  });

  it('treats 5xx as transient, quoting the detail', () => {
    const unavailable = responseError(503, problem(503, 'Service Unavailable', 'Service Unavailable'));
    expect(classifyXError(unavailable, NOW)).toEqual({
      kind: 'transient',
      statusCode: 503,
      message: 'X server error (503): Service Unavailable',
    });
    expect(classifyXError(responseError(500, undefined as unknown as TwitterApiErrorData), NOW)).toEqual({
      kind: 'transient',
      statusCode: 500,
      message: 'X server error (500)',
    });
  });

  it('treats 408 as transient', () => {
    expect(classifyXError(responseError(408, {}), NOW)).toMatchObject({ kind: 'transient', statusCode: 408 });
  });

  it('treats a duplicate (403) as permanent with X’s explanation', () => {
    const duplicate = problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    expect(classifyXError(responseError(403, duplicate), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 403,
      message: 'X rejected the post (403): You are not allowed to create a Tweet with duplicate content.',
    });
  });

  it('treats 401 as a permanent credentials problem', () => {
    expect(classifyXError(responseError(401, problem(401, 'Unauthorized', 'Unauthorized')), NOW)).toEqual({
      kind: 'permanent',
      statusCode: 401,
      message: 'X rejected the access token (401): Unauthorized',
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

  it('treats network failures as transient, naming the cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(classifyXError(requestError(refused), NOW)).toEqual({
      kind: 'transient',
      message: 'Could not reach X: connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(classifyXError(requestError(new Error('Request timeout.')), NOW)).toEqual({
      kind: 'transient',
      message: 'Could not reach X: request timed out',
    });
  });

  it('treats a cut-off response as transient', () => {
    const partial = new ApiPartialResponseError('Request failed with partial response', {
      request: {} as ClientRequest,
      response: { statusCode: 200 } as IncomingMessage,
      responseError: new Error('Unexpected end of JSON input'),
      rawContent: '{"data":',
    });
    expect(classifyXError(partial, NOW)).toEqual({
      kind: 'transient',
      statusCode: 200,
      message: "X's response was cut off: Unexpected end of JSON input",
    });
  });

  it('treats anything else as transient with its message', () => {
    expect(classifyXError(new TypeError('fetch failed'), NOW)).toEqual({ kind: 'transient', message: 'fetch failed' });
    expect(classifyXError('boom', NOW)).toEqual({ kind: 'transient', message: 'boom' });
  });

  it('never lets a bearer token through', () => {
    const leaky = classifyXError(new Error('sent Authorization: Bearer secret-token-123 and failed'), NOW);
    expect(leaky.message).toBe('sent Authorization: Bearer [redacted] and failed');

    const echoed = classifyXError(responseError(400, problem(400, 'Bad', 'Bearer secret-token-123 is malformed')), NOW);
    expect(echoed.message).not.toContain('secret-token-123');
  });
});
