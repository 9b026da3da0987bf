import { describe, expect, it } from '@jest/globals';
import { XRPCError } from '@atproto/api';
import { classifyBlueskyError } from './bluesky-errors.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');

describe('classifyBlueskyError', () => {
  it('reads when a rate limit lifts from ratelimit-reset (epoch seconds)', () => {
    const headers = { 'ratelimit-reset': String(NOW / 1000 + 90), 'ratelimit-policy': '5000;w=3600' };
    const error = new XRPCError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', headers);

    expect(classifyBlueskyError(error, NOW)).toEqual({
      kind: 'retryable',
      statusCode: 429,
      rateLimited: true,
      retryAfterMs: 90_000,
      message: 'Bluesky rate limit reached (429, limit 5000;w=3600); resets at 2030-01-01T00:01:30.000Z',
    });
  });

  it('treats an expired access token as retryable and an unverifiable one as rejected credentials', () => {
    expect(classifyBlueskyError(new XRPCError(400, 'ExpiredToken', 'Token has expired'))).toEqual({
      kind: 'retryable',
      statusCode: 400,
      message: 'Bluesky session expired (400): ExpiredToken: Token has expired',
    });
    expect(classifyBlueskyError(new XRPCError(400, 'InvalidToken', 'Token could not be verified'))).toEqual({
      kind: 'permanent',
      statusCode: 400,
      credentialsRejected: true,
      message: 'Bluesky rejected the credentials (400): InvalidToken: Token could not be verified',
    });
  });

  it('rejects the credentials of a taken-down account', () => {
    const error = new XRPCError(401, 'AccountTakedown', 'Account has been taken down');

    expect(classifyBlueskyError(error)).toMatchObject({ kind: 'permanent', credentialsRejected: true });
  });

  it('treats an answer it cannot read, or any other error, as unknown', () => {
    const unreadable = new XRPCError(
      2,
      'Invalid Response',
      'The server gave an invalid response and may be out of date.',
    );

    expect(classifyBlueskyError(unreadable)).toEqual({
      kind: 'unknown',
      message:
        'Bluesky answered with a response Herald could not read: The server gave an invalid response and may be out of date.',
    });
    expect(classifyBlueskyError(new Error('Bearer abc.def.ghi went wrong'))).toEqual({
      kind: 'unknown',
      message: 'Bearer [redacted] went wrong',
    });
  });
});
