import { describe, expect, it, jest } from '@jest/globals';
import { runLivenessChecks } from './liveness-check.js';

describe('runLivenessChecks', () => {
  it('is ok when every check passes, with the details they return', async () => {
    const report = await runLivenessChecks({ a: () => ({ lag: 3 }), b: () => Promise.resolve() }, 1_000);
    expect(report).toEqual({ status: 'ok', checks: { a: { status: 'up', lag: 3 }, b: { status: 'up' } } });
  });

  it('names each failing check with its reason, thrown or rejected', async () => {
    const report = await runLivenessChecks(
      {
        fine: () => undefined,
        thrown: () => {
          throw new Error('worker is paused');
        },
        rejected: () => Promise.reject(new Error('connection is reconnecting')),
      },
      1_000,
    );
    expect(report).toEqual({
      status: 'error',
      checks: {
        fine: { status: 'up' },
        thrown: { status: 'down', message: 'worker is paused' },
        rejected: { status: 'down', message: 'connection is reconnecting' },
      },
    });
  });

  it('counts a check that does not answer in time as down, without waiting for it', async () => {
    // Fake timers: the report must come back once 50 ms have passed on the clock, while the hung check never answers.
    jest.useFakeTimers();
    try {
      const pending = runLivenessChecks({ hung: () => new Promise<void>(() => undefined), fine: () => undefined }, 50);
      await jest.advanceTimersByTimeAsync(50);
      const report = await pending;
      expect(report.status).toBe('error');
      expect(report.checks.hung).toEqual({ status: 'down', message: 'no answer within 50 ms' });
      expect(report.checks.fine).toEqual({ status: 'up' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('cannot be overruled by a detail named status', async () => {
    const report = await runLivenessChecks({ sneaky: () => ({ status: 'down' }) }, 1_000);
    expect(report.checks.sneaky.status).toBe('up');
  });
});
