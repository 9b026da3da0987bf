import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { trustedAgents } from '../../net/outbound-agents.js';
import { createPlatformHttp } from '../http/platform-http.js';
import type {
  AccountIdentity,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import {
  LinkedInApi,
  type LinkedInImage,
  memberIdentity,
  organizationUrn,
  personUrn,
  POSTING_ROLES,
  postUrl,
} from './linkedin-api.js';
import { LINKEDIN_RULES, toLittleText } from './linkedin-content.rules.js';
import { type LinkedInCredentials, parseLinkedInCredentials } from './linkedin-credentials.js';
import { classifyLinkedInError, LinkedInOrganizationAccessError } from './linkedin-errors.js';
import { LinkedInAuthorization } from './linkedin-oauth.js';

/**
 * Publishes to LinkedIn through the Posts API, as a member or as an organization (company page).
 * LinkedIn has no idempotency keys, and reading a member's posts back needs a permission LinkedIn
 * keeps private (r_member_social), so nothing can tell whether an earlier attempt landed except
 * LinkedIn's own duplicate refusal (422 DUPLICATE_POST), which classifyError flags as `duplicate`.
 */
@Injectable()
export class LinkedInProvider implements PlatformProvider<LinkedInCredentials> {
  readonly platform = 'linkedin' as const;
  readonly capabilities = { findPublished: false, idempotencyKeys: false };
  readonly rules = LINKEDIN_RULES;
  readonly renewal: LinkedInAuthorization;
  readonly oauth: LinkedInAuthorization;

  private readonly api: LinkedInApi;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    const http = createPlatformHttp({
      baseURL: config.platforms.linkedin.apiBaseUrl,
      timeoutMs: config.publishing.platformTimeoutMs,
      agents: trustedAgents(),
    });
    this.api = new LinkedInApi(http);
    this.renewal = this.oauth = new LinkedInAuthorization(config.platforms.linkedin.oauth, http, this.api);
  }

  parseCredentials(input: unknown): LinkedInCredentials {
    return parseLinkedInCredentials(input);
  }

  async verifyCredentials(credentials: LinkedInCredentials): Promise<AccountIdentity> {
    const { accessToken, organizationId } = credentials;
    if (organizationId === undefined) return memberIdentity(await this.api.userinfo(accessToken));

    const urn = organizationUrn(organizationId);
    const roles = await this.api.organizationRoles(accessToken);
    if (!roles.some((grant) => grant.organization === urn && POSTING_ROLES.includes(grant.role))) {
      throw new LinkedInOrganizationAccessError(organizationId);
    }
    return { externalId: urn, displayName: await this.api.organizationName(accessToken, organizationId) };
  }

  async publish(credentials: LinkedInCredentials, post: PublishRequest): Promise<PublishedPost> {
    const { accessToken, organizationId } = credentials;
    const author =
      organizationId === undefined
        ? personUrn((await this.api.userinfo(accessToken)).sub)
        : organizationUrn(organizationId);

    const images: LinkedInImage[] = [];
    for (const media of post.media) {
      images.push({ id: await this.api.uploadImage(accessToken, author, media), altText: media.altText });
    }
    const urn = await this.api.createPost(accessToken, { author, commentary: toLittleText(post.text), images });
    return { platformPostId: urn, url: postUrl(urn) };
  }

  findPublished(): Promise<PublishedPost | null> {
    return Promise.resolve(null);
  }

  classifyError(error: unknown): PublishFailure {
    return classifyLinkedInError(error);
  }
}
