import { describe, expect, it } from '@jest/globals';
import type { RateLimitBudget } from '@app/shared';
import { type BudgetState, closestToRunningOut, longestRefusal, rateLimitHeaders } from './budget-state.js';

const state = (
  budget: RateLimitBudget,
  limit: number,
  remaining: number,
  resetMs = 60_000,
  exceeded = false,
): BudgetState => ({ budget, limit, remaining, resetMs, exceeded });

describe('closestToRunningOut', () => {
  it.each<[string, BudgetState[], RateLimitBudget | undefined]>([
    ['nothing counted (Redis down)', [], undefined],
    ['a single budget', [state('apiKey', 30_000, 29_999)], 'apiKey'],
    [
      'an untouched failed-auth budget does not hide a busy key',
      [state('apiKey', 30_000, 29_000), state('failedAuth', 20, 20)],
      'apiKey',
    ],
    [
      'one failure makes the failed-auth budget the closest',
      [state('apiKey', 30_000, 29_999), state('failedAuth', 20, 19)],
      'failedAuth',
    ],
    [
      'the smallest share left wins over the fewest requests left',
      [state('address', 6_000, 100), state('admin', 30, 29)],
      'address',
    ],
    ['equal shares: the fewest requests left', [state('address', 100, 50), state('failedAuth', 20, 10)], 'failedAuth'],
    [
      'both spent: the longest wait',
      [state('address', 100, 0, 5_000), state('failedAuth', 20, 0, 40_000)],
      'failedAuth',
    ],
  ])('%s', (_, states, expected) => {
    expect(closestToRunningOut(states)?.budget).toBe(expected);
  });
});

describe('longestRefusal', () => {
  it.each<[string, BudgetState[], RateLimitBudget | undefined]>([
    ['none refuses', [state('apiKey', 10, 0), state('failedAuth', 20, 3)], undefined],
    ['the one that refuses', [state('apiKey', 10, 0, 9_000, true), state('failedAuth', 20, 3)], 'apiKey'],
    [
      'of several, the one refusing longest',
      [state('apiKey', 10, 0, 9_000, true), state('failedAuth', 20, 0, 50_000, true)],
      'failedAuth',
    ],
  ])('%s', (_, states, expected) => {
    expect(longestRefusal(states)?.budget).toBe(expected);
  });
});

describe('rateLimitHeaders', () => {
  it.each<[number, string]>([
    [60_000, '60'],
    [59_001, '60'],
    [1, '1'],
    [0, '1'],
  ])('reports a reset %i ms away as %s s, never early', (resetMs, seconds) => {
    expect(rateLimitHeaders(state('apiKey', 100, 7, resetMs))).toEqual({
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': seconds,
    });
  });
});
