import { describe, expect, it } from '@jest/globals';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it.each<[string, string | null]>([
    ['/', '/'],
    ['/posts', '/posts'],
    ['/posts?status=failed#top', '/posts?status=failed#top'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['', null],
    ['posts', null],
    ['//evil.example', null],
    ['//evil.example/path', null],
    ['/\\evil.example', null],
    ['/posts\\..\\x', null],
    ['https://evil.example/', null],
    ['javascript:alert(1)', null],
    ['/\tevil', null],
    ['/ posts', null],
    ['/posts\nSet-Cookie: x=1', null],
    ['/posts\u0000', null],
    [`/${'a'.repeat(2048)}`, null],
  ])('%p → %p', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected);
  });
});
