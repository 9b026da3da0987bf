import { describe, expect, it } from '@jest/globals';
import { pacing, parsePace } from './pace.js';

describe('parsePace', () => {
  it.each([
    ['100/900', { count: 100, seconds: 900 }],
    [' 20/60 ', { count: 20, seconds: 60 }],
    ['1/1', { count: 1, seconds: 1 }],
    ['off', null],
    ['0/60', undefined],
    ['10/0', undefined],
    ['10', undefined],
    ['10/60s', undefined],
    ['-1/60', undefined],
    ['1.5/60', undefined],
    ['', undefined],
    ['10/99999999', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parsePace(value)).toEqual(expected);
  });
});

describe('pacing', () => {
  const setting = pacing('X', { account: '100/900', app: 'off' });

  it('names its variables with their defaults', () => {
    expect(setting.variables).toEqual({ X_ACCOUNT_PACE: '100/900', X_APP_PACE: 'off' });
  });

  it('reads the defaults, and what is set instead', () => {
    const problems: string[] = [];
    expect(setting.read({}, problems)).toEqual({ account: { count: 100, seconds: 900 }, app: null });
    expect(setting.read({ X_ACCOUNT_PACE: 'off', X_APP_PACE: '5/1' }, problems)).toEqual({
      account: null,
      app: { count: 5, seconds: 1 },
    });
    expect(problems).toEqual([]);
  });

  it('names every bad variable', () => {
    const problems: string[] = [];
    setting.read({ X_ACCOUNT_PACE: 'fast', X_APP_PACE: '0/1' }, problems);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^X_ACCOUNT_PACE: /);
    expect(problems[1]).toMatch(/^X_APP_PACE: /);
  });
});
