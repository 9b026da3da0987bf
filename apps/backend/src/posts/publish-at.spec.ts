import { describe, expect, it } from '@jest/globals';
import { parseIsoDateTime, resolvePublishAt } from './publish-at.js';

describe('parseIsoDateTime', () => {
  it.each([
    ['2030-01-31T09:00:00Z', '2030-01-31T09:00:00.000Z'],
    ['2030-01-31T09:00Z', '2030-01-31T09:00:00.000Z'],
    ['2030-01-31T09:00:00.123456+02:00', '2030-01-31T07:00:00.123Z'],
    ['2030-01-31T09:00:00-0530', '2030-01-31T14:30:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('accepts %s', (input, expected) => {
    expect(parseIsoDateTime(input)?.toISOString()).toBe(expected);
  });

  it.each([
    '2030-01-31T09:00:00',
    '2030-01-31 09:00:00Z',
    '2030-02-31T09:00:00Z',
    '2029-02-29T09:00:00Z',
    '2030-13-01T09:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T10:60:00Z',
    'tomorrow',
  ])('refuses %s', (input) => {
    expect(parseIsoDateTime(input)).toBeNull();
  });
});

describe('resolvePublishAt', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');

  it('defaults to now', () => {
    expect(resolvePublishAt(undefined, now).getTime()).toBe(now);
  });

  it('tolerates up to 5 minutes in the past, no more', () => {
    expect(resolvePublishAt('2030-01-01T11:55:00Z', now).toISOString()).toBe('2030-01-01T11:55:00.000Z');
    expect(() => resolvePublishAt('2030-01-01T11:54:59Z', now)).toThrow('more than 5 minutes in the past');
  });
});
