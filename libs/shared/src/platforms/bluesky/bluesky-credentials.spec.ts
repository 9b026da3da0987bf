import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../errors/domain-error.js';
import { jwtLifetime, parseBlueskyCredentials } from './bluesky-credentials.js';

const jwt = (payload: object) =>
  ['{"alg":"ES256K"}', JSON.stringify(payload), 'signature']
    .map((part) => Buffer.from(part).toString('base64url'))
    .join('.');

function problemsOf(input: unknown): string[] {
  try {
    parseBlueskyCredentials(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).details!.map((problem) => problem.field);
  }
  throw new Error('expected the credentials to be refused');
}

describe('parseBlueskyCredentials', () => {
  const appPassword = 'abcd-efgh-ijkl-mn23';

  it('takes a handle, DID or email with an app password', () => {
    for (const identifier of ['alice.bsky.social', 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'alice@example.com']) {
      expect(parseBlueskyCredentials({ identifier, appPassword })).toEqual({ identifier, appPassword });
    }
  });

  it('drops the @ people write before a handle, and surrounding spaces', () => {
    expect(parseBlueskyCredentials({ identifier: ' @alice.bsky.social ', appPassword: ` ${appPassword} ` })).toEqual({
      identifier: 'alice.bsky.social',
      appPassword,
    });
  });

  it('refuses what is not a handle, and an account password', () => {
    expect(problemsOf({ identifier: 'alice', appPassword: 'hunter2hunter2' })).toEqual([
      'credentials.identifier',
      'credentials.appPassword',
    ]);
    expect(problemsOf({ identifier: 'alice.bsky.social' })).toEqual(['credentials.appPassword']);
    expect(problemsOf('alice')).toEqual(['credentials.identifier', 'credentials.appPassword']);
  });

  it('refuses fields it does not know', () => {
    expect(problemsOf({ identifier: 'alice.bsky.social', appPassword, password: 'x' })).toEqual([
      'credentials.password',
    ]);
  });

  it('keeps a stored session, and refuses a broken one', () => {
    const session = {
      did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
      handle: 'alice.bsky.social',
      accessJwt: jwt({ exp: 2_000_000_000 }),
      refreshJwt: jwt({ exp: 2_100_000_000 }),
    };
    const stored = { identifier: 'alice.bsky.social', appPassword, session };

    expect(parseBlueskyCredentials(stored)).toEqual(stored);
    expect(problemsOf({ ...stored, session: { ...session, did: 'alice' } })).toEqual(['credentials.session']);
    expect(problemsOf({ ...stored, session: 'token' })).toEqual(['credentials.session']);
  });
});

describe('jwtLifetime', () => {
  it('reads exp and iat from the payload, in milliseconds', () => {
    expect(jwtLifetime(jwt({ iat: 1_700_000_000, exp: 1_700_007_200 }))).toEqual({
      issuedAt: 1_700_000_000_000,
      expiresAt: 1_700_007_200_000,
    });
    expect(jwtLifetime(jwt({ exp: 1_700_007_200 }))).toEqual({ expiresAt: 1_700_007_200_000 });
  });

  it('is undefined for what is not a JWT with an expiry', () => {
    expect(jwtLifetime('not a jwt')).toBeUndefined();
    expect(jwtLifetime(jwt({ sub: 'did:plc:x' }))).toBeUndefined();
  });
});
