/**
 * Fairness between workspaces. BullMQ takes a prioritized job with the lowest priority first, and
 * jobs of equal priority in the order they became ready (oldest first). A job's priority is the
 * target's rank among its workspace's targets due at that instant (that minute), so every
 * workspace's first post goes before anyone's 1,000th: a workspace with 10,000 posts due at 09:00
 * delays another's single post by at most the other workspaces' first posts, not by its burst.
 */

/** BullMQ's largest priority (2^21 - 1); ranks beyond it share it. */
export const MAX_PRIORITY = 2_097_151;

/** The priority of the `rank`-th (from 1) target: never 0, which BullMQ would run before every prioritized job. */
export const priorityOfRank = (rank: number): number => Math.min(Math.max(1, Math.floor(rank)), MAX_PRIORITY);

/**
 * Each item's rank (from 1) among the items of its group, in the given order, going on from the
 * ranks `counted` already holds per group (updated in place, for a scan done in pages).
 */
export function ranksWithinGroups<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  counted: Map<string, number> = new Map(),
): number[] {
  return items.map((item) => {
    const group = groupOf(item);
    const rank = (counted.get(group) ?? 0) + 1;
    counted.set(group, rank);
    return rank;
  });
}
