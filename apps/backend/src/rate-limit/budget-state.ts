import type { RateLimitBudget } from '@app/shared';

/** Where one budget stands for one caller after this request: what the RateLimit-* headers report. */
export interface BudgetState {
  budget: RateLimitBudget;
  limit: number;
  remaining: number;
  /** Milliseconds until the budget's window ends and it is full again. */
  resetMs: number;
  /** Whether this budget refuses the request. */
  exceeded: boolean;
}

const fractionLeft = (state: BudgetState): number => state.remaining / state.limit;

/**
 * The budget closest to running out, which the RateLimit-* headers describe: the smallest share left
 * (so a fresh failed-authentication budget of 20 does not hide a busy key's 30,000), then the fewest
 * requests left, then the longest wait.
 */
export function closestToRunningOut(states: readonly BudgetState[]): BudgetState | undefined {
  return [...states].sort(
    (a, b) => fractionLeft(a) - fractionLeft(b) || a.remaining - b.remaining || b.resetMs - a.resetMs,
  )[0];
}

/** The budget that refuses the request for longest (Retry-After must outlast every refusal), if any. */
export function longestRefusal(states: readonly BudgetState[]): BudgetState | undefined {
  return states.filter((state) => state.exceeded).sort((a, b) => b.resetMs - a.resetMs)[0];
}

/** Whole seconds until `state` resets, rounded up so a client waiting that long is never early. */
export const secondsUntilReset = (state: BudgetState): number => Math.max(1, Math.ceil(state.resetMs / 1000));

/** The headers of draft-ietf-httpapi-ratelimit-headers (the `RateLimit-*` triple, reset in seconds). */
export function rateLimitHeaders(state: BudgetState): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(secondsUntilReset(state)),
  };
}
