import { describe, expect, it } from '@jest/globals';
import { derivePostStatus } from './post-status.js';

describe('derivePostStatus', () => {
  it.each([
    [['scheduled', 'scheduled'], 'scheduled'],
    [['scheduled', 'queued'], 'queued'],
    [['queued', 'publishing', 'published'], 'publishing'],
    [['published', 'published'], 'published'],
    [['published', 'failed'], 'partially_published'],
    [['failed', 'failed'], 'failed'],
    [['cancelled', 'cancelled'], 'cancelled'],
    [['published', 'cancelled'], 'published'],
    [['failed', 'cancelled'], 'failed'],
    [['scheduled', 'published'], 'scheduled'],
    [['unknown', 'published'], 'unknown'],
    [['queued', 'unknown'], 'queued'],
    [['missed', 'missed'], 'missed'],
    [['missed', 'failed'], 'failed'],
    [['missed', 'published'], 'partially_published'],
  ] as const)('%j → %s', (targets, expected) => {
    expect(derivePostStatus(targets)).toBe(expected);
  });
});
