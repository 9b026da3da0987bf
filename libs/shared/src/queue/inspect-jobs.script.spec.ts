import { describe, expect, it } from '@jest/globals';
import { parseJobFacts, UNPLACED } from './inspect-jobs.script.js';

describe('parseJobFacts', () => {
  it('reads each state, and a job found nowhere else as alive only when it is in a list', () => {
    const reply = ['missing', '', 'delayed', '1767344400000', 'alive', '', UNPLACED, '', UNPLACED, ''];
    const listed = new Set([3]);
    expect(parseJobFacts(reply, (index) => listed.has(index))).toEqual([
      { state: 'missing' },
      { state: 'delayed', runAt: new Date('2026-01-02T09:00:00.000Z') },
      { state: 'alive' },
      { state: 'alive' },
      { state: 'unknown' },
    ]);
  });

  it('rejects a state it does not know', () => {
    expect(() => parseJobFacts(['waiting', ''], () => false)).toThrow(/Unexpected job state from Redis: waiting/);
  });
});
