/** Small numeric helpers for the figures. */
import { eventually } from '../../test/support/factories.js';

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values` (milliseconds in, milliseconds out). */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds, or fails after `timeoutMs` naming `what` (the tests' `eventually`). */
export const waitFor = async (check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
  await eventually(async () => ((await check()) ? true : undefined), { timeoutMs, what });
};

/**
 * Runs `task` from `concurrency` loops at once until `durationMs` has passed (each loop finishes the
 * call it is in); resolves with how many calls ran, each one's duration (ms) and the elapsed seconds.
 */
export async function loadFor(durationMs: number, concurrency: number, task: (n: number) => Promise<void>) {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < durationMs) {
        const t0 = performance.now();
        await task(next++);
        durations.push(performance.now() - t0);
      }
    }),
  );
  return { durations, seconds: (performance.now() - started) / 1000 };
}

/** Runs `task` `total` times with at most `concurrency` at once. */
export async function inParallel(total: number, concurrency: number, task: (n: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}
