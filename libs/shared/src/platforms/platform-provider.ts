import type { ContentOutline, ContentRules, MediaFile } from './content-rules.js';
import type { PlatformName } from './platform-name.js';

/** An image attached to a post, as the worker hands it to a provider. */
export interface MediaAttachment {
  mediaId: string;
  /** Sniffed from the bytes when the file was stored, never taken from the client. */
  mimeType: string;
  sizeBytes: number;
  altText: string | null;
  read(): Promise<Buffer>;
  /** A URL the platform can fetch the file from (Instagram, Threads and Facebook pull images by URL). */
  publicUrl(): Promise<string>;
}

/** One post on a platform: the whole target, or one part of a thread. */
export interface PublishRequest {
  text: string;
  media: MediaAttachment[];
  /** For the second and later parts of a thread: the thread's first post and the post this one answers. */
  replyTo?: { root: PublishedPost; parent: PublishedPost };
  /** Stable for every attempt at this part; sent by platforms that honour idempotency keys. */
  idempotencyKey: string;
}

export interface PublishedPost {
  platformPostId: string;
  url: string;
  /** Whatever else the platform needs to reply to this post (Bluesky's record `cid`). */
  ref?: Record<string, string>;
}

/** Who the credentials belong to, as the platform tells it. */
export interface AccountIdentity {
  /** The platform's id of the account (user, page, channel, webhook). */
  externalId: string;
  /** A handle or name a person recognises. */
  displayName: string;
}

/**
 * What went wrong with a call to a platform, in terms the worker can act on:
 * - `retryable`: the post certainly did not land (connection refused, 429): safe to send again;
 * - `unknown`: the request went out and the answer was lost (timeout, reset, 5xx): it may have
 *   landed, so the worker reconciles before sending again;
 * - `permanent`: retrying cannot help (bad token, forbidden, rejected content).
 * `message` is human-readable and never contains credentials.
 */
export interface PublishFailure {
  kind: 'retryable' | 'unknown' | 'permanent';
  message: string;
  /** The platform's HTTP status, when it answered. */
  statusCode?: number;
  /** The account hit the platform's rate limit: every target of the account waits until `retryAfterMs`. */
  rateLimited?: boolean;
  /** When the platform said when to come back (Retry-After, x-rate-limit-reset). */
  retryAfterMs?: number;
  /** The platform refused the post as a duplicate of one that exists (evidence an earlier attempt landed). */
  duplicate?: boolean;
  /** The credentials are revoked or invalid: the account needs reconnecting (`needs_reauth`). */
  credentialsRejected?: boolean;
}

/** What a platform lets Herald do to make a retry safe. */
export interface PlatformCapabilities {
  /** `findPublished` can tell whether an earlier attempt landed. */
  findPublished: boolean;
  /** The platform deduplicates on `PublishRequest.idempotencyKey`, so resending is always safe. */
  idempotencyKeys: boolean;
}

/** Credentials that expire, and how to renew them (OAuth refresh tokens, AT Protocol sessions). */
export interface CredentialRenewal<Credentials> {
  /** When the scheduler should renew them (some time before they expire); null: never. */
  renewAt(credentials: Credentials): Date | null;
  /** New credentials; a failure with `credentialsRejected` means the grant is gone. */
  renew(credentials: Credentials): Promise<Credentials>;
}

/**
 * Everything Herald needs from a social platform. One implementation per platform folder
 * (`platforms/<name>/<name>.provider.ts`), registered once in `platform.registry.ts`.
 */
export interface PlatformProvider<Credentials = unknown> {
  readonly platform: PlatformName;
  readonly capabilities: PlatformCapabilities;
  /** What a post must be on this platform: length as the platform counts it, media, threads. */
  readonly rules: ContentRules;
  /** Present when the platform's credentials expire. */
  readonly renewal?: CredentialRenewal<Credentials>;
  /** Present when accounts can be connected through `GET /v1/connect/:platform`. */
  readonly oauth?: OAuthConnection<Credentials>;

  /** Checks the shape of credentials given to `POST /v1/accounts`; throws a validation DomainError. */
  parseCredentials(input: unknown): Credentials;

  /** Asks the platform whose credentials these are; fails (see classifyError) when it refuses them. */
  verifyCredentials(credentials: Credentials): Promise<AccountIdentity>;

  /**
   * Platform-specific problems beyond {@link ContentRules} that need no image bytes (checked with
   * `checkOutline`, before anything is downloaded); optional. Each is a sentence naming what is wrong.
   */
  extraContentProblems?(content: ContentOutline): string[];

  /**
   * Platform-specific problems of the post's image files taken together (checked with `checkMediaFiles`);
   * optional. `undefined` is a file not downloaded yet.
   */
  extraMediaProblems?(files: readonly (MediaFile | undefined)[]): string[];

  publish(credentials: Credentials, post: PublishRequest): Promise<PublishedPost>;

  /**
   * Looks on the platform for a post that an earlier attempt may already have published
   * (used when a worker died mid-publish), created at or after `since`. Resolves null when there is none.
   * `since` already allows for clock skew (the worker's margin): providers add none of their own.
   */
  findPublished(
    credentials: Credentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null>;

  classifyError(error: unknown): PublishFailure;
}

/** An account an OAuth connection yields: the user, or each page or business account they manage. */
export interface ConnectedAccount<Credentials> {
  credentials: Credentials;
  identity: AccountIdentity;
}

/** A platform's OAuth 2.0 authorization-code flow (with PKCE, S256). */
export interface OAuthConnection<Credentials> {
  /** The environment variables still missing before this flow can be used (empty: ready). */
  missingSettings(): string[];
  /** The platform's authorize page for these parameters. */
  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge: string }): string;
  /** Exchanges the code for tokens; resolves the accounts they give access to. */
  exchangeCode(params: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<ConnectedAccount<Credentials>[]>;
}
