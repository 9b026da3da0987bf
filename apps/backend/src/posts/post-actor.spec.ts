import { describe, expect, it } from '@jest/globals';
import type { Role } from '@app/shared';
import { authorOf, needsApproval } from './post-actor.js';

describe('needsApproval', () => {
  it.each<[Role, boolean, boolean]>([
    ['editor', true, true],
    ['editor', false, false],
    ['admin', true, false],
    ['owner', true, false],
    ['admin', false, false],
  ])('%s with requiresApproval %s → %s', (role, requiresApproval, expected) => {
    expect(needsApproval(role, requiresApproval)).toBe(expected);
  });
});

describe('authorOf', () => {
  it.each([
    [
      { type: 'user' as const, id: 'u', label: 'a@b.c' },
      { userId: 'u', apiKeyId: null },
    ],
    [
      { type: 'api_key' as const, id: 'k', label: 'CMS' },
      { userId: null, apiKeyId: 'k' },
    ],
    [
      { type: 'operator' as const, label: 'operator' as const },
      { userId: null, apiKeyId: null },
    ],
  ])('%j', (actor, expected) => {
    expect(authorOf(actor)).toEqual(expected);
  });
});
