import type { PlatformName } from '../platforms/platform-name.js';

export const ACCOUNT_STATUSES = ['active', 'needs_reauth'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/**
 * A connected social-media account (table `social_accounts`). Its credentials are encrypted at rest
 * and never leave the server: they are read only under the account's lock (see withLockedCredentials)
 * or with a claimed target (and, to be re-encrypted under a new key, by `npm run keys:reencrypt`).
 */
export interface SocialAccount {
  id: string;
  workspaceId: string;
  platform: PlatformName;
  name: string;
  /** The platform's id of the account (user, page, channel, webhook), as the platform told it. */
  externalId: string | null;
  status: AccountStatus;
  /** Why the account needs reconnecting (the platform's answer), while `needs_reauth`. */
  statusReason: string | null;
  /** When the scheduler renews the credentials, ahead of their expiry; null: they do not expire. */
  renewAt: Date | null;
  /** After a platform's 429: none of the account's targets is claimed before then. */
  rateLimitedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Credentials as stored: encrypted, with when they are due for renewal. */
export interface SealedCredentials {
  encryptedCredentials: string;
  renewAt: Date | null;
}
