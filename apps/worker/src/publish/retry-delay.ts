const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * How long to wait before attempt `attempt + 1`: exponential from `baseMs` (doubling per attempt)
 * with ±20% jitter so retries of many targets spread out, capped at an hour (the cap bounds the
 * jittered delay). When the platform said when to come back (rate limit), that time wins if it is
 * later, even beyond the cap.
 */
export function retryDelayMs(attempt: number, baseMs: number, retryAfterMs?: number, random = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  const jittered = Math.min(Math.round(exponential * (0.8 + 0.4 * random())), MAX_DELAY_MS);
  return Math.max(jittered, retryAfterMs ?? 0);
}
