import type { PlatformName } from './platform-name.js';

export interface PublishRequest {
  content: string;
  /** Stable for every attempt at one target; sent by platforms that honour idempotency keys. */
  idempotencyKey: string;
}

export interface PublishedPost {
  platformPostId: string;
  url: string;
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
}

/** What a platform lets Herald do to make a retry safe. */
export interface PlatformCapabilities {
  /** `findPublished` can tell whether an earlier attempt landed. */
  findPublished: boolean;
  /** The platform deduplicates on `PublishRequest.idempotencyKey`, so resending is always safe. */
  idempotencyKeys: boolean;
}

/**
 * Everything Herald needs from a social platform. One implementation per platform folder
 * (`platforms/<name>/<name>.provider.ts`), registered once in `platform.registry.ts`.
 */
export interface PlatformProvider<Credentials = unknown> {
  readonly platform: PlatformName;
  readonly capabilities: PlatformCapabilities;

  /** Checks the shape of credentials given to `POST /v1/accounts`; throws a validation DomainError. */
  parseCredentials(input: unknown): Credentials;

  /** Every way the content breaks the platform's rules (empty when it is fine). */
  validateContent(content: string): string[];

  publish(credentials: Credentials, post: PublishRequest): Promise<PublishedPost>;

  /**
   * Looks on the platform for a post that an earlier attempt may already have published
   * (used when a worker died mid-publish). Resolves null when there is none.
   */
  findPublished(
    credentials: Credentials,
    post: Pick<PublishRequest, 'content'>,
    since: Date,
  ): Promise<PublishedPost | null>;

  classifyError(error: unknown): PublishFailure;
}
