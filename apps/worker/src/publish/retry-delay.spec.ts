import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './retry-delay.js';

const noJitter = (): number => 0.5;

describe('retryDelayMs', () => {
  it('doubles with each attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1_000, undefined, noJitter))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
  });

  it('caps at one hour', () => {
    expect(retryDelayMs(40, 5_000, undefined, noJitter)).toBe(3_600_000);
  });

  it('jitters within ±20%', () => {
    expect(retryDelayMs(1, 1_000, undefined, () => 0)).toBe(800);
    expect(retryDelayMs(1, 1_000, undefined, () => 1)).toBe(1_200);
  });

  it("honours the platform's retry-after when it is later", () => {
    expect(retryDelayMs(1, 1_000, 900_000, noJitter)).toBe(900_000);
    expect(retryDelayMs(3, 1_000, 10, noJitter)).toBe(4_000);
  });
});
