import type { PlatformName } from './platform-name.js';

export interface PublishRequest {
  content: string;
}

export interface PublishedPost {
  platformPostId: string;
  url: string;
}

/**
 * What went wrong with a call to a platform, in terms the worker can act on:
 * - `transient`: worth retrying later (network error, timeout, 5xx, 429);
 * - `permanent`: retrying cannot help (bad token, forbidden, rejected content).
 * `message` is human-readable and never contains credentials.
 */
export interface PublishFailure {
  kind: 'transient' | 'permanent';
  message: string;
  /** The platform's HTTP status, when it answered. */
  statusCode?: number;
  /** When the platform said when to come back (Retry-After, x-rate-limit-reset). */
  retryAfterMs?: number;
}

/**
 * Everything Herald needs from a social platform. One implementation per platform folder
 * (`platforms/<name>/<name>.provider.ts`), registered once in `platform.registry.ts`.
 */
export interface PlatformProvider<Credentials = unknown> {
  readonly platform: PlatformName;

  /** Checks the shape of credentials given to `POST /v1/accounts`; throws a validation DomainError. */
  parseCredentials(input: unknown): Credentials;

  /** Every way the content breaks the platform's rules (empty when it is fine). */
  validateContent(content: string): string[];

  publish(credentials: Credentials, post: PublishRequest): Promise<PublishedPost>;

  /**
   * Looks on the platform for a post that an earlier attempt may already have published
   * (used when a worker died mid-publish). Resolves null when there is none.
   */
  findPublished(credentials: Credentials, post: PublishRequest, since: Date): Promise<PublishedPost | null>;

  classifyError(error: unknown): PublishFailure;
}
