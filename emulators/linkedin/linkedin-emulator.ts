import {
  type EmulatorFault,
  type EmulatorRequest,
  type EmulatorRoute,
  HttpProblem,
  type RecordedRequest,
  sequentialIds,
  startEmulatorServer,
} from '../kit/emulator-server.js';
import { type IssuedTokens, LinkedInAccounts } from './linkedin-accounts.js';
import { LinkedInOAuthServer } from './linkedin-oauth-server.js';
import { checkPostBody, type PostImage } from './linkedin-posts.js';
import {
  accessDenied,
  checkRestliProtocol,
  checkVersion,
  contentRefusal,
  faultBody,
  imageUrn,
  type Member,
  personUrn,
  randomToken,
  restliError,
  sniffImage,
  unprocessable,
} from './linkedin-wire.js';

export type { IssuedTokens } from './linkedin-accounts.js';

/**
 * An in-process stand-in for the parts of LinkedIn that Herald calls, on one host: the OAuth 2.0
 * authorization server (www.linkedin.com/oauth/v2), OpenID userinfo (/v2/userinfo), the versioned
 * Rest.li APIs (/rest/posts, /rest/images, /rest/organizationAcls, /rest/organizations) and the
 * upload URLs the Images API hands out. Independent of Herald's code, so it cannot share its bugs.
 *
 * Any access token nobody issued belongs to a member made up from it; tokens issued through OAuth
 * belong to the member who consented and carry the scopes granted.
 */

export interface LinkedInEmulatorOptions {
  port?: number;
  host?: string;
  /** The OAuth app the token endpoint accepts (default {@link EMULATED_OAUTH_CLIENT}). */
  oauthClient?: { clientId: string; clientSecret: string };
}

export const EMULATED_OAUTH_CLIENT = { clientId: 'emulated-linkedin-app', clientSecret: 'emulated-linkedin-secret' };

export interface RecordedLinkedInPost {
  /** `urn:li:share:<n>`, as answered in `x-restli-id`. */
  id: string;
  author: string;
  /** As sent, in little format. */
  commentary: string;
  /** As members see it (escapes resolved); cut short if the commentary had an unescaped reserved character. */
  text: string;
  visibility: string;
  lifecycleState: string;
  images: PostImage[];
  accessToken: string;
  version: string;
  receivedAt: Date;
}

export interface LinkedInEmulator {
  /** Base URL without trailing slash: both LINKEDIN_API_BASE_URL and LINKEDIN_OAUTH_BASE_URL. */
  readonly url: string;
  readonly posts: RecordedLinkedInPost[];
  readonly requests: RecordedRequest[];
  readonly oauthClient: { clientId: string; clientSecret: string };
  /** Route names: authorize, accessToken, userinfo, organizationAcls, organization, initializeUpload, uploadImage, createPost. */
  failNext(fault: EmulatorFault): void;
  setDelay(ms: number): void;
  memberFor(accessToken: string): Member;
  /** Later calls with this access (or refresh) token get LinkedIn's REVOKED_ACCESS_TOKEN (or invalid_grant). */
  revokeToken(token: string): void;
  /** Later calls with this access token get LinkedIn's EXPIRED_ACCESS_TOKEN. */
  expireToken(accessToken: string): void;
  /** Tokens for a new member, as the OAuth flow would issue them (all of Herald's scopes). */
  issueTokens(): IssuedTokens;
  /** Gives the member behind `accessToken` a role on an organization (created if new). */
  grantOrganizationRole(accessToken: string, organization: { id: string; name: string }, role?: string): void;
  /**
   * Forgets posts, images, requests, faults, revocations, organization roles and pending authorizations.
   * Issued tokens stay, with their members.
   */
  reset(): void;
  close(): Promise<void>;
}

interface StoredImage {
  urn: string;
  owner: string;
  uploadId: string;
  data?: Buffer;
  mimeType?: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export async function startLinkedInEmulator(options: LinkedInEmulatorOptions = {}): Promise<LinkedInEmulator> {
  const oauthClient = options.oauthClient ?? EMULATED_OAUTH_CLIENT;
  const accounts = new LinkedInAccounts();
  const oauthServer = new LinkedInOAuthServer(accounts, oauthClient);
  const posts: RecordedLinkedInPost[] = [];
  let images = new Map<string, StoredImage>();
  let baseUrl = '';
  const nextShareId = sequentialIds();

  /** Versioned Rest.li resources: a token, the LinkedIn-Version header and Rest.li protocol 2.0.0. */
  const authenticateRest = (request: EmulatorRequest, scope?: string) => {
    const caller = accounts.authenticate(request, scope);
    checkVersion(request.headers['linkedin-version'], new Date());
    checkRestliProtocol(request.headers['x-restli-protocol-version']);
    return caller;
  };

  const userinfo = (request: EmulatorRequest) => {
    const { member } = accounts.authenticate(request, 'openid');
    return {
      status: 200,
      body: {
        sub: member.sub,
        name: `${member.givenName} ${member.familyName}`,
        given_name: member.givenName,
        family_name: member.familyName,
        locale: { country: 'US', language: 'en' },
        picture: `https://media.licdn.com/dms/image/emulated/${member.sub}`,
      },
    };
  };

  /** The roleAssignee finder: the caller's approved roles, optionally of one role, paged. */
  const organizationAcls = (request: EmulatorRequest) => {
    const { member } = authenticateRest(request, 'r_organization_admin');
    const query = request.url.searchParams;
    if (query.get('q') !== 'roleAssignee') {
      throw restliError(400, 'ILLEGAL_ARGUMENT', `Unsupported finder "${query.get('q') ?? ''}" on organizationAcls`);
    }
    const role = query.get('role');
    const state = query.get('state');
    const start = Number(query.get('start') ?? 0);
    const count = Number(query.get('count') ?? 10);
    const matching = accounts
      .rolesOf(member)
      .filter((grant) => (role === null || grant.role === role) && (state === null || state === 'APPROVED'));
    return {
      status: 200,
      body: {
        paging: { start, count, links: [], total: matching.length },
        elements: matching.slice(start, start + count).map((grant) => ({
          roleAssignee: personUrn(member),
          state: 'APPROVED',
          role: grant.role,
          organization: `urn:li:organization:${grant.organizationId}`,
        })),
      },
    };
  };

  const organization = (request: EmulatorRequest) => {
    authenticateRest(request);
    const id = request.params.id;
    const name = accounts.organizationName(id);
    if (name === undefined) throw restliError(404, 'NOT_FOUND', `Organization ${id} does not exist`);
    const vanityName = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return { status: 200, body: { id: Number(id), localizedName: name, vanityName } };
  };

  const initializeUpload = (request: EmulatorRequest) => {
    const { member } = authenticateRest(request);
    if (request.url.searchParams.get('action') !== 'initializeUpload') {
      throw restliError(400, 'ILLEGAL_ARGUMENT', 'Unsupported action on images');
    }
    const owner = (request.body?.initializeUploadRequest as { owner?: unknown } | undefined)?.owner;
    if (typeof owner !== 'string') {
      throw unprocessable([
        '/initializeUploadRequest/owner :: field is required but not found and has no default value',
      ]);
    }
    if (!accounts.mayActFor(member, owner)) throw accessDenied('partnerApiImages.ACTION-initializeUpload');
    const image: StoredImage = { urn: imageUrn(), owner, uploadId: randomToken('', 18) };
    images.set(image.urn, image);
    return {
      status: 200,
      body: {
        value: {
          uploadUrlExpiresAt: Date.now() + 24 * 3600 * 1000,
          uploadUrl: `${baseUrl}/dms-uploads/sp/v2/${image.uploadId}/uploaded-image/0`,
          image: image.urn,
        },
      },
    };
  };

  /** The upload URL: stores the bytes; only JPEG, PNG and GIF come out of processing AVAILABLE. */
  const uploadImage = (request: EmulatorRequest) => {
    accounts.authenticate(request);
    const image = [...images.values()].find((candidate) => candidate.uploadId === request.params.uploadId);
    if (!image) throw new HttpProblem(404, { message: 'Upload URL not found or expired', status: 404 });
    if (!request.raw || request.raw.length === 0) throw new HttpProblem(400, { message: 'Empty upload', status: 400 });
    image.data = request.raw;
    image.mimeType = sniffImage(request.raw);
    return { status: 201 };
  };

  const createPost = (request: EmulatorRequest) => {
    const { token, member } = authenticateRest(request);
    const checked = checkPostBody(request.body, (urn) => images.get(urn));
    const scope = checked.author.startsWith('urn:li:organization:') ? 'w_organization_social' : 'w_member_social';
    const version = String(request.headers['linkedin-version']);
    if (!accounts.hasScope(token, scope) || !accounts.mayActFor(member, checked.author)) {
      throw accessDenied(`partnerApiPostsExternal.CREATE.${version}01`);
    }
    const earlier = posts.find(
      (post) => post.author === checked.author && post.lifecycleState === 'PUBLISHED' && post.text === checked.text,
    );
    if (earlier && checked.lifecycleState === 'PUBLISHED') {
      throw contentRefusal(422, `Content is a duplicate of ${earlier.id}`, {
        code: 'DUPLICATE_POST',
        description: 'Duplicate post is detected',
      });
    }
    const post: RecordedLinkedInPost = {
      id: `urn:li:share:${nextShareId()}`,
      ...checked,
      accessToken: token,
      version,
      receivedAt: new Date(),
    };
    posts.push(post);
    return { status: 201, headers: { 'x-restli-id': post.id, 'x-linkedin-id': post.id } };
  };

  const routes: EmulatorRoute[] = [
    ...oauthServer.routes(),
    { name: 'userinfo', method: 'GET', path: /^\/v2\/userinfo$/, handle: userinfo },
    { name: 'organizationAcls', method: 'GET', path: /^\/rest\/organizationAcls$/, handle: organizationAcls },
    { name: 'organization', method: 'GET', path: /^\/rest\/organizations\/(?<id>\d+)$/, handle: organization },
    { name: 'initializeUpload', method: 'POST', path: /^\/rest\/images$/, handle: initializeUpload },
    {
      name: 'uploadImage',
      method: 'PUT',
      path: /^\/dms-uploads\/sp\/v2\/(?<uploadId>[\w-]+)\/uploaded-image\/0$/,
      handle: uploadImage,
    },
    { name: 'createPost', method: 'POST', path: /^\/rest\/posts$/, handle: createPost },
  ];

  const server = await startEmulatorServer({
    name: 'linkedin-emulator',
    routes,
    errorBody: faultBody,
    port: options.port,
    host: options.host,
    controls: {
      'POST /_emulator/revoke': (body) => accounts.revoke(text(body?.token)),
      'POST /_emulator/expire': (body) => accounts.expire(text(body?.token)),
      'POST /_emulator/tokens': () => {
        const { accessToken, refreshToken, expiresIn, member } = accounts.issueForNewMember();
        return { accessToken, refreshToken, expiresIn, sub: member.sub };
      },
      'POST /_emulator/organization-roles': (body) =>
        accounts.grantOrganizationRole(
          text(body?.accessToken),
          { id: text(body?.organizationId), name: text(body?.organizationName) },
          typeof body?.role === 'string' ? body.role : undefined,
        ),
      'GET /_emulator/posts': () => ({
        data: posts.map(({ images: postImages, ...post }) => ({
          ...post,
          images: postImages.map(({ data, ...image }) => ({ ...image, sizeBytes: data.length })),
        })),
      }),
    },
    onReset: () => {
      posts.length = 0;
      images = new Map();
      accounts.reset();
      oauthServer.reset();
    },
  });
  baseUrl = server.url;

  return {
    url: server.url,
    posts,
    requests: server.requests,
    oauthClient,
    failNext: (fault) => server.failNext(fault),
    setDelay: (ms) => server.setDelay(ms),
    memberFor: (token) => accounts.memberFor(token),
    revokeToken: (token) => accounts.revoke(token),
    expireToken: (token) => accounts.expire(token),
    issueTokens: () => accounts.issueForNewMember(),
    grantOrganizationRole: (token, org, role) => accounts.grantOrganizationRole(token, org, role),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}
