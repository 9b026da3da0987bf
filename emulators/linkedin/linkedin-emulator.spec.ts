import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type LinkedInEmulator, startLinkedInEmulator } from './linkedin-emulator.js';
import { checkVersion, renderLittleText } from './linkedin-wire.js';

/** The emulator's own LinkedIn behaviour, where Herald's provider cannot show it (it always does the right thing). */

const at = (iso: string) => new Date(iso);
const refusal = (run: () => void) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return { status: (error as { status: number }).status, body: (error as { body: unknown }).body };
  }
};

describe('LinkedIn API versions', () => {
  it('serves a monthly version from its month for a year, until mid-month', () => {
    expect(refusal(() => checkVersion('202609', at('2026-09-01T00:00:00Z')))).toBeUndefined();
    expect(refusal(() => checkVersion('202609.01', at('2027-09-14T23:59:59Z')))).toBeUndefined();
    expect(refusal(() => checkVersion('202511', at('2026-11-22T00:00:00Z')))).toEqual({
      status: 426,
      body: { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 20251101 is not active' },
    });
    expect(refusal(() => checkVersion('202612', at('2026-11-22T00:00:00Z')))?.status).toBe(426);
  });

  it('refuses a call without a version', () => {
    expect(refusal(() => checkVersion(undefined, new Date()))).toEqual({
      status: 400,
      body: {
        status: 400,
        code: 'VERSION_MISSING',
        message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      },
    });
  });
});

describe('little text format', () => {
  it('renders escapes, hashtags, hashtag templates and mentions', () => {
    expect(renderLittleText('Hi @[Acme Corp](urn:li:organization:1234), \\(really\\) {hashtag|#|Tech} #news')).toEqual({
      text: 'Hi Acme Corp, (really) #Tech #news',
      truncated: false,
    });
  });

  it('cuts the text at the first unescaped reserved character, as LinkedIn does', () => {
    expect(renderLittleText('Launch (beta) today')).toEqual({ text: 'Launch ', truncated: true });
    expect(renderLittleText('snake_case')).toEqual({ text: 'snake', truncated: true });
  });
});

describe('LinkedIn emulator over HTTP', () => {
  let emulator: LinkedInEmulator;
  const token = 'emulator-spec-token';
  /** This month's version is always served. */
  const currentVersion = new Date().toISOString().slice(0, 7).replace('-', '');
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    'LinkedIn-Version': currentVersion,
    'X-Restli-Protocol-Version': '2.0.0',
  };
  const author = () => `urn:li:person:${emulator.memberFor(token).sub}`;
  const body = (commentary: string) => ({
    author: author(),
    commentary,
    visibility: 'PUBLIC',
    distribution: { feedDistribution: 'MAIN_FEED' },
    lifecycleState: 'PUBLISHED',
  });
  const createPost = (payload: unknown, extraHeaders: Record<string, string> = {}) =>
    fetch(`${emulator.url}/rest/posts`, {
      method: 'POST',
      headers: { ...headers, ...extraHeaders },
      body: JSON.stringify(payload),
    });

  beforeAll(async () => {
    emulator = await startLinkedInEmulator();
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  it('publishes a post cut short when its commentary was not escaped', async () => {
    const response = await createPost(body('Launch (beta) today'));

    expect(response.status).toBe(201);
    expect(response.headers.get('x-restli-id')).toBe(emulator.posts[0].id);
    expect(emulator.posts[0]).toMatchObject({ commentary: 'Launch (beta) today', text: 'Launch ' });
  });

  it('names every schema violation, as the Posts API does', async () => {
    const response = await createPost({ commentary: 'x', visibility: 'EVERYONE', colour: 'blue' });

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      status: 422,
      message:
        'ERROR :: /colour :: unrecognized field found but not allowed\n' +
        'ERROR :: /author :: field is required but not found and has no default value\n' +
        'ERROR :: /distribution :: field is required but not found and has no default value\n' +
        'ERROR :: /lifecycleState :: field is required but not found and has no default value\n' +
        'ERROR :: /visibility :: "EVERYONE" is not an enum symbol\n',
    });
  });

  it('refuses a missing version header and the Rest.li protocol 1.0', async () => {
    const withoutVersion = await createPost(body('x'), { 'LinkedIn-Version': '' });
    expect(withoutVersion.status).toBe(400);
    expect(await withoutVersion.json()).toMatchObject({ code: 'VERSION_MISSING' });

    const oldProtocol = await createPost(body('x'), { 'X-Restli-Protocol-Version': '1.0.0' });
    expect(oldProtocol.status).toBe(400);
    expect(emulator.posts).toHaveLength(0);
  });

  it('refuses an image that was initialised but never uploaded', async () => {
    const init = await fetch(`${emulator.url}/rest/images?action=initializeUpload`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ initializeUploadRequest: { owner: author() } }),
    });
    const { value } = (await init.json()) as { value: { image: string; uploadUrl: string } };
    expect(value.uploadUrl).toMatch(new RegExp(`^${emulator.url}/dms-uploads/`));

    const response = await createPost({ ...body('x'), content: { media: { id: value.image } } });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      message: `com.linkedin.content.common.exception.BadRequestResponseException: Image ${value.image} is not AVAILABLE (status WAITING_UPLOAD)`,
    });
  });

  it('lists posts and revokes tokens through its HTTP controls', async () => {
    await createPost(body('Listed'));
    const listed = (await (await fetch(`${emulator.url}/_emulator/posts`)).json()) as { data: { text: string }[] };
    expect(listed.data.map((post) => post.text)).toEqual(['Listed']);

    await fetch(`${emulator.url}/_emulator/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const response = await createPost(body('Revoked'));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      status: 401,
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'The token used in the request has been revoked by the user',
    });
  });
});
