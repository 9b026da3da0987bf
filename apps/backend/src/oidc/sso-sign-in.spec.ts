import { describe, expect, it } from '@jest/globals';
import { decideSsoSignIn, type SsoSignIn, type SsoSignInFacts } from './sso-sign-in.js';

const facts = (overrides: Partial<SsoSignInFacts>): SsoSignInFacts => ({
  identityUserId: null,
  email: 'ada@example.com',
  emailVerified: true,
  userWithEmailId: null,
  ...overrides,
});

describe('decideSsoSignIn', () => {
  it.each<[string, Partial<SsoSignInFacts>, SsoSignIn]>([
    ['a known identity signs its user in', { identityUserId: 'u1' }, { kind: 'sign_in', userId: 'u1' }],
    [
      'a known identity signs in even with an email now unverified or another user’s',
      { identityUserId: 'u1', emailVerified: false, userWithEmailId: 'u2' },
      { kind: 'sign_in', userId: 'u1' },
    ],
    [
      'a known identity signs in without an email',
      { identityUserId: 'u1', email: null },
      { kind: 'sign_in', userId: 'u1' },
    ],
    ['a verified email of an existing user links to them', { userWithEmailId: 'u2' }, { kind: 'link', userId: 'u2' }],
    ['a verified new email creates a user', {}, { kind: 'create', email: 'ada@example.com' }],
    [
      'an unverified email of an existing user does not link',
      { emailVerified: false, userWithEmailId: 'u2' },
      { kind: 'refuse', reason: 'email_unverified' },
    ],
    [
      'an unverified new email creates nobody',
      { emailVerified: false },
      { kind: 'refuse', reason: 'email_unverified' },
    ],
    ['no email at all is refused', { email: null }, { kind: 'refuse', reason: 'no_email' }],
  ])('%s', (_, given, expected) => {
    expect(decideSsoSignIn(facts(given))).toEqual(expected);
  });
});
