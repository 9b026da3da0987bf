import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './retry-delay.js';

const HOUR = 3_600_000;

describe('retryDelayMs', () => {
  it.each([
    // attempt, base, retry-after, jitter (0: -20%, 0.5: none, 1: +20%), delay
    [1, 1_000, undefined, 0.5, 1_000],
    [2, 1_000, undefined, 0.5, 2_000],
    [3, 1_000, undefined, 0.5, 4_000],
    [4, 1_000, undefined, 0.5, 8_000],
    [1, 1_000, undefined, 0, 800],
    [1, 1_000, undefined, 1, 1_200],
    [4, 5_000, undefined, 1, 48_000],
    // 5 s × 2^10 = 85 min: the cap bounds the delay whatever the jitter
    [11, 5_000, undefined, 0.5, HOUR],
    [11, 5_000, undefined, 1, HOUR],
    [40, 5_000, undefined, 1, HOUR],
    [2_000, 5_000, undefined, 1, HOUR],
    // just under the cap, the jitter still spreads retries below it
    [10, 5_000, undefined, 0, 2_048_000],
    // 40 min with +20% would be 48 min: below the cap, kept
    [1, 2_400_000, undefined, 1, 2_880_000],
    // 55 min with +20% would be 66 min: capped
    [1, 3_300_000, undefined, 1, HOUR],
    // the platform's reset wins when later, even beyond the cap
    [1, 1_000, 900_000, 0.5, 900_000],
    [3, 1_000, 10, 0.5, 4_000],
    [1, 1_000, 24 * HOUR, 1, 24 * HOUR],
  ] as const)(
    'attempt %i, base %i ms, retry-after %p, jitter %p → %i ms',
    (attempt, base, retryAfter, jitter, delay) => {
      expect(retryDelayMs(attempt, base, retryAfter, () => jitter)).toBe(delay);
    },
  );

  it('never exceeds the cap, for any attempt and jitter', () => {
    for (let attempt = 1; attempt <= 30; attempt += 1) {
      for (const jitter of [0, 0.25, 0.5, 0.75, 0.999]) {
        expect(retryDelayMs(attempt, 5_000, undefined, () => jitter)).toBeLessThanOrEqual(HOUR);
      }
    }
  });
});
