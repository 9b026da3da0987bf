import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type LinkedInEmulator, startLinkedInEmulator } from '../../../../../emulators/linkedin/linkedin-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { MediaAttachment, PlatformProvider, PublishFailure, PublishRequest } from '../platform-provider.js';
import { LINKEDIN_VERSION } from './linkedin-api.js';
import type { LinkedInCredentials } from './linkedin-credentials.js';
import { LinkedInProvider } from './linkedin.provider.js';

const TIMEOUT_MS = 1000;
const DAY_MS = 24 * 3600 * 1000;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]);

function configFor(baseUrl: string, oauth = { clientId: '', clientSecret: '' }): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      LINKEDIN_API_BASE_URL: baseUrl,
      LINKEDIN_OAUTH_BASE_URL: baseUrl,
      LINKEDIN_CLIENT_ID: oauth.clientId,
      LINKEDIN_CLIENT_SECRET: oauth.clientSecret,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '5',
    }),
  );
}

function image(data: Buffer, mimeType: string, altText: string | null): MediaAttachment {
  return {
    mediaId: `media-${data.length}-${altText ?? 'none'}`,
    mimeType,
    sizeBytes: data.length,
    altText,
    read: () => Promise.resolve(data),
    publicUrl: () => Promise.reject(new Error('LinkedIn takes uploads, not URLs')),
  };
}

const post = (text: string, media: MediaAttachment[] = []): PublishRequest => ({
  text,
  media,
  idempotencyKey: 'target-1',
});

/** Runs `promise`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: LinkedInProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

describe('LinkedInProvider against the LinkedIn emulator', () => {
  let emulator: LinkedInEmulator;
  let provider: LinkedInProvider;
  const alice: LinkedInCredentials = { accessToken: 'alice-token-0001' };
  const bob: LinkedInCredentials = { accessToken: 'bob-token-0002' };
  const acme = { id: '2414183', name: 'Acme Corp' };

  beforeAll(async () => {
    emulator = await startLinkedInEmulator();
    provider = new LinkedInProvider(configFor(emulator.url, emulator.oauthClient));
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  const aliceUrn = () => `urn:li:person:${emulator.memberFor(alice.accessToken).sub}`;
  const routes = () => emulator.requests.map((request) => [request.route, request.status]);

  it('declares that nothing but LinkedIn’s duplicate refusal can tell whether a post landed', async () => {
    expect(provider.capabilities).toEqual({ findPublished: false, idempotencyKeys: false });
    await provider.publish(alice, post('Already out'));
    const generic: PlatformProvider<LinkedInCredentials> = provider;
    expect(await generic.findPublished(alice, { text: 'Already out' }, new Date(0))).toBeNull();
  });

  describe('publish', () => {
    it('posts the text as the member, escaped in little format, with the pinned API version', async () => {
      const text = 'Launch (beta) at 9:00 — see [notes] & mail me @ team_lead #Herald C# *fast* ~ok~ <3 {x|y} \\o/ 👋';

      const published = await provider.publish(alice, post(text));

      expect(emulator.posts).toHaveLength(1);
      const [sent] = emulator.posts;
      expect(sent).toMatchObject({
        text,
        author: aliceUrn(),
        visibility: 'PUBLIC',
        lifecycleState: 'PUBLISHED',
        images: [],
        version: LINKEDIN_VERSION,
      });
      expect(sent.commentary).toContain('\\(beta\\) at 9:00 — see \\[notes\\] & mail me \\@ team\\_lead #Herald C\\#');
      expect(sent.commentary).toContain('\\*fast\\* \\~ok\\~ \\<3 \\{x\\|y\\} \\\\o/ 👋');
      expect(published).toEqual({
        platformPostId: sent.id,
        url: `https://www.linkedin.com/feed/update/${sent.id}/`,
      });
      expect(sent.id).toMatch(/^urn:li:share:\d+$/);
      expect(routes()).toEqual([
        ['userinfo', 200],
        ['createPost', 201],
      ]);
    });

    it('uploads one image through the Images API and attaches it with its alt text', async () => {
      await provider.publish(alice, post('One picture', [image(PNG, 'image/png', 'A single red pixel')]));

      const [sent] = emulator.posts;
      expect(sent.images).toEqual([
        {
          id: expect.stringMatching(/^urn:li:image:/),
          altText: 'A single red pixel',
          mimeType: 'image/png',
          data: PNG,
        },
      ]);
      expect(routes()).toEqual([
        ['userinfo', 200],
        ['initializeUpload', 200],
        ['uploadImage', 201],
        ['createPost', 201],
      ]);
    });

    it('posts two or more images as a multiImage post, in order, alt text only where given', async () => {
      const media = [
        image(JPEG, 'image/jpeg', 'First'),
        image(GIF, 'image/gif', null),
        image(PNG, 'image/png', 'Third'),
      ];

      await provider.publish(alice, post('', media));

      const [sent] = emulator.posts;
      expect(sent.text).toBe('');
      expect(sent.images.map(({ altText, mimeType, data }) => [altText, mimeType, data])).toEqual([
        ['First', 'image/jpeg', JPEG],
        ['', 'image/gif', GIF],
        ['Third', 'image/png', PNG],
      ]);
    });

    it('posts as an organization the member may post for, without asking who the member is', async () => {
      emulator.grantOrganizationRole(alice.accessToken, acme, 'CONTENT_ADMINISTRATOR');

      await provider.publish(
        { ...alice, organizationId: acme.id },
        post('News from Acme', [image(PNG, 'image/png', 'Logo')]),
      );

      expect(emulator.posts.map((sent) => [sent.author, sent.text])).toEqual([
        [`urn:li:organization:${acme.id}`, 'News from Acme'],
      ]);
      expect(routes().map(([route]) => route)).toEqual(['initializeUpload', 'uploadImage', 'createPost']);
    });

    it('reports posting for an organization without a role on it as permanent', async () => {
      const failure = await failureOf(
        provider,
        provider.publish({ ...bob, organizationId: acme.id }, post('Not mine')),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 403,
        message: `LinkedIn rejected the request (403): Not enough permissions to access: partnerApiPostsExternal.CREATE.${LINKEDIN_VERSION}01`,
      });
      expect(emulator.posts).toHaveLength(0);
    });
  });

  describe('verifyCredentials', () => {
    it('names the member behind the token', async () => {
      const member = emulator.memberFor(alice.accessToken);

      expect(await provider.verifyCredentials(alice)).toEqual({
        externalId: `urn:li:person:${member.sub}`,
        displayName: `${member.givenName} ${member.familyName}`,
      });
    });

    it('names the organization when the member may post for it', async () => {
      emulator.grantOrganizationRole(alice.accessToken, { id: '77', name: 'Elsewhere Ltd' }, 'ANALYST');
      emulator.grantOrganizationRole(alice.accessToken, acme);

      expect(await provider.verifyCredentials({ ...alice, organizationId: acme.id })).toEqual({
        externalId: `urn:li:organization:${acme.id}`,
        displayName: 'Acme Corp',
      });
    });

    it('rejects the credentials when the member holds no posting role on the organization', async () => {
      emulator.grantOrganizationRole(alice.accessToken, acme, 'ANALYST');

      const failure = await failureOf(provider, provider.verifyCredentials({ ...alice, organizationId: acme.id }));

      expect(failure).toMatchObject({ kind: 'permanent', credentialsRejected: true });
      expect(failure.message).toMatch(/may not post for organization 2414183: they need the ADMINISTRATOR/);
    });

    it('rejects a revoked token (401), without the token in the message', async () => {
      emulator.revokeToken(alice.accessToken);

      for (const attempt of [provider.verifyCredentials(alice), provider.publish(alice, post('never lands'))]) {
        const failure = await failureOf(provider, attempt);
        expect(failure).toEqual({
          kind: 'permanent',
          statusCode: 401,
          credentialsRejected: true,
          message:
            'LinkedIn rejected the credentials (401): The token used in the request has been revoked by the user',
        });
      }
      expect(emulator.posts).toHaveLength(0);
    });

    it('rejects an expired token (401)', async () => {
      emulator.expireToken(alice.accessToken);

      const failure = await failureOf(provider, provider.publish(alice, post('too late')));

      expect(failure).toMatchObject({ kind: 'permanent', statusCode: 401, credentialsRejected: true });
      expect(failure.message).toBe(
        'LinkedIn rejected the credentials (401): The token used in the request has expired',
      );
    });
  });

  describe('classifyError', () => {
    it('reports commentary over 3000 characters as permanent, quoting LinkedIn', async () => {
      const failure = await failureOf(provider, provider.publish(alice, post('a'.repeat(2999) + '👋')));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message:
          'LinkedIn rejected the request (400): ShareCommentary text length (3001 characters) exceeded the maximum allowed (3000 characters)',
      });
    });

    it('flags LinkedIn’s duplicate refusal, the evidence that a lost attempt landed', async () => {
      emulator.failNext({ delayMs: TIMEOUT_MS * 3, afterRecord: true, route: 'createPost' });
      const lost = await failureOf(provider, provider.publish(alice, post('Same words twice')));
      expect(lost).toEqual({ kind: 'unknown', message: 'Could not reach LinkedIn: request timed out' });
      expect(emulator.posts).toHaveLength(1);

      const retry = await failureOf(provider, provider.publish(alice, post('Same words twice')));

      expect(retry).toEqual({
        kind: 'permanent',
        statusCode: 422,
        duplicate: true,
        message: `LinkedIn rejected the request (422): Content is a duplicate of ${emulator.posts[0].id}`,
      });
      // Another member may say the same thing.
      await provider.publish(bob, post('Same words twice'));
      expect(emulator.posts.map((sent) => sent.accessToken)).toEqual([alice.accessToken, bob.accessToken]);
    });
  });

  describe('renewal', () => {
    it('renews a week before the access token expires, and only with a refresh token', () => {
      const expiresAt = '2027-03-01T12:00:00.000Z';

      expect(provider.renewal.renewAt({ ...alice, expiresAt })).toBeNull();
      expect(provider.renewal.renewAt({ ...alice, refreshToken: 'r' })).toBeNull();
      expect(provider.renewal.renewAt({ ...alice, refreshToken: 'r', expiresAt })).toEqual(
        new Date(Date.parse(expiresAt) - 7 * DAY_MS),
      );
    });

    it('trades the refresh token for a new access token that works, keeping the rest', async () => {
      const issued = emulator.issueTokens();
      const credentials = {
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expiresAt: new Date(Date.now() + DAY_MS).toISOString(),
        organizationId: acme.id,
      };
      emulator.grantOrganizationRole(issued.accessToken, acme);

      const renewed = await provider.renewal.renew(credentials);

      expect(renewed).toEqual({
        accessToken: expect.not.stringMatching(issued.accessToken),
        refreshToken: issued.refreshToken,
        expiresAt: expect.any(String),
        organizationId: acme.id,
      });
      const lifetime = Date.parse(renewed.expiresAt!) - Date.now();
      expect(lifetime).toBeGreaterThan(59 * DAY_MS);
      expect(lifetime).toBeLessThanOrEqual(60 * DAY_MS);
      expect(await provider.verifyCredentials(renewed)).toMatchObject({ displayName: 'Acme Corp' });
    });

    it('rejects the credentials when the refresh token is revoked (invalid_grant)', async () => {
      const issued = emulator.issueTokens();
      emulator.revokeToken(issued.refreshToken);

      const failure = await failureOf(
        provider,
        provider.renewal.renew({ accessToken: issued.accessToken, refreshToken: issued.refreshToken }),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        credentialsRejected: true,
        message:
          'LinkedIn rejected the credentials (400): The provided authorization grant or refresh token is invalid, expired or revoked',
      });
    });
    it('does not blame the account when LinkedIn refuses Herald’s app (invalid_client)', async () => {
      const issued = emulator.issueTokens();
      const misconfigured = new LinkedInProvider(
        configFor(emulator.url, { clientId: emulator.oauthClient.clientId, clientSecret: 'wrong-secret' }),
      );

      const failure = await failureOf(
        misconfigured,
        misconfigured.renewal.renew({ accessToken: issued.accessToken, refreshToken: issued.refreshToken }),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 401,
        message: 'LinkedIn rejected the request (401): Client authentication failed',
      });
    });
  });

  describe('oauth', () => {
    const verifier = 'v'.repeat(43);
    const pkce = { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
    const redirectUri = 'https://herald.example.com/v1/connect/linkedin/callback';

    it('needs the LinkedIn app’s client id and secret', () => {
      expect(provider.oauth.missingSettings()).toEqual([]);
      expect(new LinkedInProvider(configFor(emulator.url)).oauth.missingSettings()).toEqual([
        'LINKEDIN_CLIENT_ID',
        'LINKEDIN_CLIENT_SECRET',
      ]);
    });

    it('sends the member to LinkedIn’s authorize page with PKCE and the posting scope', () => {
      const url = provider.oauth.authorizeUrl({ redirectUri, state: 'state-1', codeChallenge: pkce.challenge });

      expect(url).toBe(
        `${emulator.url}/oauth/v2/authorization?response_type=code&client_id=${emulator.oauthClient.clientId}` +
          `&redirect_uri=${encodeURIComponent(redirectUri)}&state=state-1&scope=openid%20profile%20w_member_social` +
          `&code_challenge=${pkce.challenge}&code_challenge_method=S256`,
      );
    });

    it('exchanges the code for the member’s account, whose credentials publish', async () => {
      const code = await authorize(
        provider.oauth.authorizeUrl({ redirectUri, state: 's', codeChallenge: pkce.challenge }),
      );

      const accounts = await provider.oauth.exchangeCode({ code, redirectUri, codeVerifier: pkce.verifier });

      expect(accounts).toHaveLength(1);
      const [{ credentials, identity }] = accounts;
      const member = emulator.memberFor(credentials.accessToken);
      expect(identity).toEqual({
        externalId: `urn:li:person:${member.sub}`,
        displayName: `${member.givenName} ${member.familyName}`,
      });
      expect(credentials).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(provider.parseCredentials(credentials)).toEqual(credentials);
      await provider.publish(credentials, post('Connected through OAuth'));
      expect(emulator.posts.map((sent) => sent.author)).toEqual([identity.externalId]);
    });

    it('reports a code that does not match its verifier as permanent, quoting LinkedIn', async () => {
      const code = await authorize(
        provider.oauth.authorizeUrl({ redirectUri, state: 's', codeChallenge: pkce.challenge }),
      );

      const failure = await failureOf(
        provider,
        provider.oauth.exchangeCode({ code, redirectUri, codeVerifier: 'w'.repeat(43) }),
      );

      expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400 });
      expect(failure.credentialsRejected).toBeUndefined();
      expect(failure.message).toMatch(/^LinkedIn rejected the request \(400\): Unable to retrieve access token/);
    });

    /** Plays the member consenting on the authorize page: resolves the code LinkedIn redirects back with. */
    async function authorize(url: string): Promise<string> {
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
      expect(location.searchParams.get('state')).toBe('s');
      return location.searchParams.get('code')!;
    }
  });

  it('accepts { accessToken, organizationId?, refreshToken?, expiresAt? } as credentials', () => {
    expect(provider.parseCredentials({ accessToken: '  abc123  ' })).toEqual({ accessToken: 'abc123' });
    expect(
      provider.parseCredentials({
        accessToken: 'abc',
        organizationId: 'urn:li:organization:2414183',
        refreshToken: 'def',
        expiresAt: '2027-01-31T12:00:00+01:00',
      }),
    ).toEqual({
      accessToken: 'abc',
      organizationId: '2414183',
      refreshToken: 'def',
      expiresAt: '2027-01-31T11:00:00.000Z',
    });
    expect(provider.parseCredentials({ accessToken: 'abc', organizationId: 42 })).toEqual({
      accessToken: 'abc',
      organizationId: '42',
    });

    const problems = (input: unknown) => {
      try {
        provider.parseCredentials(input);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).details?.map((detail) => detail.field);
      }
    };
    expect(problems(undefined)).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: '   ' })).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: 'two words' })).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: 'abc', organizationId: 'acme' })).toEqual(['credentials.organizationId']);
    expect(problems({ accessToken: 'abc', expiresAt: 'tomorrow', refreshToken: '' })).toEqual([
      'credentials.refreshToken',
      'credentials.expiresAt',
    ]);
    expect(problems({ accessToken: 'abc', personUrn: 'urn:li:person:x' })).toEqual(['credentials.personUrn']);
  });
});
