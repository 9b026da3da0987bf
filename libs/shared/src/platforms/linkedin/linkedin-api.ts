import type { AxiosInstance } from 'axios';
import type { AccountIdentity, MediaAttachment } from '../platform-provider.js';

/**
 * The LinkedIn API version Herald speaks (`LinkedIn-Version`, YYYYMM). Each version is served for a
 * year, then answers 426 NONEXISTENT_VERSION: this must move forward before September 2027.
 */
export const LINKEDIN_VERSION = '202609';

/** Organization roles that may post for the organization (w_organization_social). */
export const POSTING_ROLES: readonly string[] = [
  'ADMINISTRATOR',
  'CONTENT_ADMINISTRATOR',
  'DIRECT_SPONSORED_CONTENT_POSTER',
];

/** At most this many organization roles are read (pages of 100) to find the one that matters. */
const MAX_ROLE_PAGES = 10;
const ROLE_PAGE_SIZE = 100;

export interface LinkedInUserInfo {
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
}

export interface LinkedInImage {
  id: string;
  altText: string | null;
}

/** What Herald posts: the author's URN, commentary in little format, the images already uploaded. */
export interface LinkedInPost {
  author: string;
  commentary: string;
  images: LinkedInImage[];
}

export const personUrn = (sub: string) => `urn:li:person:${sub}`;
export const organizationUrn = (id: string) => `urn:li:organization:${id}`;
export const postUrl = (urn: string) => `https://www.linkedin.com/feed/update/${urn}/`;

export function memberIdentity(member: LinkedInUserInfo): AccountIdentity {
  const fullName = [member.given_name, member.family_name].filter(Boolean).join(' ');
  return { externalId: personUrn(member.sub), displayName: member.name || fullName || member.sub };
}

/** The calls Herald makes to api.linkedin.com. Failures are axios errors, classified by the provider. */
export class LinkedInApi {
  constructor(private readonly http: AxiosInstance) {}

  /** OpenID Connect userinfo: who the token belongs to. */
  async userinfo(accessToken: string): Promise<LinkedInUserInfo> {
    const { data } = await this.http.get<unknown>('/v2/userinfo', { headers: bearer(accessToken) });
    const info = data as Partial<LinkedInUserInfo> | undefined;
    if (typeof info?.sub !== 'string' || info.sub === '') throw new Error('LinkedIn userinfo answered without a sub');
    return info as LinkedInUserInfo;
  }

  /** The organizations the member holds an approved role on, with the role. */
  async organizationRoles(accessToken: string): Promise<{ organization: string; role: string }[]> {
    const roles: { organization: string; role: string }[] = [];
    for (let page = 0; page < MAX_ROLE_PAGES; page += 1) {
      const { data } = await this.http.get<unknown>('/rest/organizationAcls', {
        headers: restHeaders(accessToken),
        params: { q: 'roleAssignee', state: 'APPROVED', start: page * ROLE_PAGE_SIZE, count: ROLE_PAGE_SIZE },
      });
      const body = data as { elements?: unknown; paging?: { total?: unknown } } | undefined;
      const elements = Array.isArray(body?.elements) ? (body.elements as Record<string, unknown>[]) : [];
      for (const element of elements) {
        if (typeof element.organization === 'string' && typeof element.role === 'string') {
          roles.push({ organization: element.organization, role: element.role });
        }
      }
      const total = typeof body?.paging?.total === 'number' ? body.paging.total : 0;
      if (elements.length < ROLE_PAGE_SIZE || (page + 1) * ROLE_PAGE_SIZE >= total) break;
    }
    return roles;
  }

  async organizationName(accessToken: string, organizationId: string): Promise<string> {
    const { data } = await this.http.get<unknown>(`/rest/organizations/${organizationId}`, {
      headers: restHeaders(accessToken),
    });
    const name = (data as { localizedName?: unknown } | undefined)?.localizedName;
    return typeof name === 'string' && name !== '' ? name : organizationUrn(organizationId);
  }

  /** Images API: registers an image owned by `owner`, then PUTs its bytes to the upload URL LinkedIn gives. */
  async uploadImage(accessToken: string, owner: string, media: MediaAttachment): Promise<string> {
    const { data } = await this.http.post<unknown>(
      '/rest/images',
      { initializeUploadRequest: { owner } },
      { headers: restHeaders(accessToken), params: { action: 'initializeUpload' } },
    );
    const value = (data as { value?: { uploadUrl?: unknown; image?: unknown } } | undefined)?.value;
    if (typeof value?.uploadUrl !== 'string' || typeof value.image !== 'string') {
      throw new Error('LinkedIn answered initializeUpload without an upload URL and image URN');
    }
    await this.http.put(value.uploadUrl, await media.read(), {
      headers: { ...bearer(accessToken), 'Content-Type': 'application/octet-stream' },
    });
    return value.image;
  }

  /** Posts API: creates a public feed post; resolves the post's URN (`x-restli-id`). */
  async createPost(accessToken: string, post: LinkedInPost): Promise<string> {
    const content = imageContent(post.images);
    const response = await this.http.post<unknown>(
      '/rest/posts',
      {
        author: post.author,
        commentary: post.commentary,
        visibility: 'PUBLIC',
        distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
        lifecycleState: 'PUBLISHED',
        isReshareDisabledByAuthor: false,
        ...(content ? { content } : {}),
      },
      { headers: restHeaders(accessToken) },
    );
    const urn: unknown = response.headers['x-restli-id'];
    if (typeof urn !== 'string' || urn === '') throw new Error('LinkedIn accepted the post but returned no post URN');
    return urn;
  }
}

function imageContent(images: LinkedInImage[]): Record<string, unknown> | undefined {
  const described = images.map(({ id, altText }) => ({ id, ...(altText ? { altText } : {}) }));
  if (described.length === 0) return undefined;
  if (described.length === 1) return { media: described[0] };
  return { multiImage: { images: described } };
}

const bearer = (accessToken: string) => ({ Authorization: `Bearer ${accessToken}` });

const restHeaders = (accessToken: string) => ({
  ...bearer(accessToken),
  'LinkedIn-Version': LINKEDIN_VERSION,
  'X-Restli-Protocol-Version': '2.0.0',
});
