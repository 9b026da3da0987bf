const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * How long to wait before attempt `attempt + 1`: exponential from `baseMs` (doubling per attempt,
 * capped at an hour) with ±20% jitter so retries of many targets spread out. When the platform said
 * when to come back (rate limit), that time wins if it is later.
 */
export function retryDelayMs(attempt: number, baseMs: number, retryAfterMs?: number, random = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_DELAY_MS);
  const jittered = Math.round(exponential * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}
