import { describe, expect, it } from '@jest/globals';
import { classifyGraphError, graphErrorOf, NotPublishedError, retryAfterFromUsageHeaders } from './graph-errors.js';

describe('Graph error helpers', () => {
  it('reads the longest estimated_time_to_regain_access (minutes) from X-Business-Use-Case-Usage', () => {
    const header = JSON.stringify({
      '1111': [{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 3 }],
      '2222': [
        { type: 'instagram', call_count: 20, estimated_time_to_regain_access: 0 },
        { type: 'pages', call_count: 100, estimated_time_to_regain_access: 12 },
      ],
    });
    expect(retryAfterFromUsageHeaders({ 'x-business-use-case-usage': header })).toBe(12 * 60_000);
  });

  it('has no time when nothing is throttled, the header is missing or is not JSON', () => {
    const idle = JSON.stringify({ '1111': [{ type: 'pages', estimated_time_to_regain_access: 0 }] });
    expect(retryAfterFromUsageHeaders({ 'x-business-use-case-usage': idle })).toBeUndefined();
    expect(retryAfterFromUsageHeaders({ 'x-app-usage': '{"call_count":100}' })).toBeUndefined();
    expect(retryAfterFromUsageHeaders({ 'x-business-use-case-usage': 'not json' })).toBeUndefined();
    expect(retryAfterFromUsageHeaders(undefined)).toBeUndefined();
  });

  it('finds the error object of a Graph answer', () => {
    expect(graphErrorOf({ error: { message: '(#506) Duplicate status message', code: 506 } })).toEqual({
      message: '(#506) Duplicate status message',
      code: 506,
    });
    expect(graphErrorOf({ error: 'text' })).toBeUndefined();
    expect(graphErrorOf('<html>')).toBeUndefined();
  });

  it('treats a failure before the post existed as retryable, whatever it was', () => {
    const failure = classifyGraphError(
      new NotPublishedError('Uploading photo 1 of 2 failed', { cause: new Error('socket hang up') }),
      'Facebook',
    );
    expect(failure).toEqual({ kind: 'retryable', message: 'Uploading photo 1 of 2 failed: socket hang up' });
  });
});
