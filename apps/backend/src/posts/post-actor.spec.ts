import { describe, expect, it } from '@jest/globals';
import type { Role } from '@app/shared';
import { authorOf, trustedToPublish } from './post-actor.js';

describe('trustedToPublish', () => {
  it.each<[Role, boolean]>([
    ['viewer', false],
    ['editor', false],
    ['admin', true],
    ['owner', true],
  ])('%s → %s', (role, expected) => {
    expect(trustedToPublish(role)).toBe(expected);
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
