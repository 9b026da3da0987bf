import { describe, expect, it } from '@jest/globals';
import { decideJobRepair, LATE_TOLERANCE_MS, type JobFacts, type JobRepair } from './job-repair.js';

const at = new Date('2026-01-02T09:00:00.000Z');
const plus = (ms: number) => new Date(at.getTime() + ms);

describe('decideJobRepair', () => {
  it.each<[string, Date | 'now', JobFacts, JobRepair]>([
    ['due, no job', 'now', { state: 'missing' }, 'added'],
    ['due, a delayed job', 'now', { state: 'delayed', runAt: plus(60_000) }, 'promoted'],
    ['due, a failed job', 'now', { state: 'failed' }, 'retried'],
    ['due, a completed job', 'now', { state: 'completed' }, 'replaced'],
    ['due, a job in no list', 'now', { state: 'unknown' }, 'replaced'],
    ['due, a job waiting or running', 'now', { state: 'alive' }, 'alive'],
    ['due later, no job', at, { state: 'missing' }, 'added'],
    ['due later, a job delayed until then', at, { state: 'delayed', runAt: at }, 'alive'],
    ['due later, a job stamped a moment late', at, { state: 'delayed', runAt: plus(LATE_TOLERANCE_MS) }, 'alive'],
    ['due later, a job delayed past it', at, { state: 'delayed', runAt: plus(LATE_TOLERANCE_MS + 1) }, 'moved'],
    ['due later, a job delayed to before it', at, { state: 'delayed', runAt: plus(-3_600_000) }, 'alive'],
    ['due later, a failed job', at, { state: 'failed' }, 'replaced'],
    ['due later, a completed job', at, { state: 'completed' }, 'replaced'],
    ['due later, a job in no list', at, { state: 'unknown' }, 'replaced'],
    ['due later, a job waiting or running', at, { state: 'alive' }, 'alive'],
  ])('%s', (_case, runAt, job, expected) => {
    expect(decideJobRepair(runAt, job)).toBe(expected);
  });
});
