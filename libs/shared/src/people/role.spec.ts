import { describe, expect, it } from '@jest/globals';
import { isRole, roleAllows, type Role } from './role.js';

describe('roleAllows', () => {
  it.each<[Role, Role, boolean]>([
    ['viewer', 'viewer', true],
    ['viewer', 'editor', false],
    ['viewer', 'admin', false],
    ['viewer', 'owner', false],
    ['editor', 'viewer', true],
    ['editor', 'editor', true],
    ['editor', 'admin', false],
    ['editor', 'owner', false],
    ['admin', 'viewer', true],
    ['admin', 'editor', true],
    ['admin', 'admin', true],
    ['admin', 'owner', false],
    ['owner', 'viewer', true],
    ['owner', 'editor', true],
    ['owner', 'admin', true],
    ['owner', 'owner', true],
  ])('%s may act as %s: %s', (held, needed, allowed) => {
    expect(roleAllows(held, needed)).toBe(allowed);
  });

  it.each([
    ['owner', true],
    ['viewer', true],
    ['root', false],
    ['', false],
    [undefined, false],
    [1, false],
  ])('isRole(%p) is %p', (value, expected) => {
    expect(isRole(value)).toBe(expected);
  });
});
