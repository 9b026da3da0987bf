import { describe, expect, it } from '@jest/globals';
import { MAX_PRIORITY, priorityOfRank, ranksWithinGroups } from './publish-priority.js';

describe('ranksWithinGroups', () => {
  it.each([
    [[], [], {}],
    [['a'], [1], {}],
    [['a', 'a', 'a'], [1, 2, 3], {}],
    // The big workspace's burst does not push the small one back: its first target ranks 1.
    [['big', 'big', 'big', 'small', 'big'], [1, 2, 3, 1, 4], {}],
    [['a', 'b', 'a', 'b'], [1, 1, 2, 2], {}],
    // A later page of the same scan goes on from the earlier pages' ranks.
    [['a', 'b', 'c'], [6, 2, 1], { a: 5, b: 1 }],
  ] as const)('%j (counted before: %j) → %j', (groups, expected, before) => {
    const counted = new Map(Object.entries(before));
    expect(ranksWithinGroups(groups, (group) => group, counted)).toEqual(expected);
  });

  it('leaves the counts for the next page', () => {
    const counted = new Map<string, number>();
    ranksWithinGroups(['a', 'b', 'a'], (group) => group, counted);
    expect(Object.fromEntries(counted)).toEqual({ a: 2, b: 1 });
  });
});

describe('priorityOfRank', () => {
  it.each([
    [1, 1],
    [2, 2],
    [1000, 1000],
    // 0 would put the job before every prioritized one (BullMQ's wait list): never.
    [0, 1],
    [-3, 1],
    [MAX_PRIORITY, MAX_PRIORITY],
    [MAX_PRIORITY + 1, MAX_PRIORITY],
    [10_000_000, MAX_PRIORITY],
  ])('rank %d → priority %d', (rank, priority) => {
    expect(priorityOfRank(rank)).toBe(priority);
  });
});
