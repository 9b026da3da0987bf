import { Injectable, Logger } from '@nestjs/common';
import { CredentialsCipher } from '../crypto/credentials-cipher.js';
import { DecryptionError } from '../crypto/envelope-cipher.js';
import type { PlatformName } from '../platforms/platform-name.js';
import { PlatformRegistry } from '../platforms/platform.registry.js';
import { SocialAccountRepository } from './social-account.repository.js';
import type { SealedCredentials } from './social-account.js';

export type RenewalResult =
  /** `credentials` are current (just renewed, or renewed by someone else meanwhile). */
  | { status: 'renewed' | 'current'; credentials: unknown }
  /** The platform refused the grant: the account is now `needs_reauth`. */
  | { status: 'revoked'; reason: string }
  /** A temporary failure (network, 5xx, 429): nothing changed; try again later. */
  | { status: 'failed'; reason: string }
  /** The account was deleted. */
  | { status: 'gone' };

/** Stored credentials that cannot be used; the message says why (never what they hold). */
export class UnreadableCredentialsError extends Error {
  constructor(cause: unknown) {
    super(
      cause instanceof DecryptionError
        ? `The account's credentials could not be decrypted (${cause.message}): configure the key they were encrypted with, or reconnect the account`
        : `The stored credentials of the account are unreadable (${(cause as Error).message}); reconnect the account`,
      { cause },
    );
    this.name = 'UnreadableCredentialsError';
  }
}

/**
 * Opens, seals and renews account credentials. Renewal holds the account's row lock for the call to
 * the platform, so the scheduler and any number of workers never renew one account twice at once:
 * platforms rotate refresh tokens, and a second concurrent refresh would use a spent one.
 */
@Injectable()
export class AccountCredentialsService {
  private readonly logger = new Logger(AccountCredentialsService.name);

  constructor(
    private readonly accounts: SocialAccountRepository,
    private readonly platforms: PlatformRegistry,
    private readonly cipher: CredentialsCipher,
  ) {}

  /** Encrypts credentials for the account `accountId` (they open for that account only). */
  seal(accountId: string, platform: PlatformName, credentials: unknown): SealedCredentials {
    const renewal = this.platforms.get(platform).renewal;
    return {
      encryptedCredentials: this.cipher.encrypt(accountId, credentials),
      renewAt: renewal ? renewal.renewAt(credentials) : null,
    };
  }

  /** Decrypts and checks stored credentials; throws UnreadableCredentialsError when they cannot be used. */
  open(accountId: string, platform: PlatformName, encryptedCredentials: string): unknown {
    const provider = this.platforms.get(platform);
    try {
      return provider.parseCredentials(this.cipher.decrypt(accountId, encryptedCredentials));
    } catch (error) {
      throw new UnreadableCredentialsError(error);
    }
  }

  async renew(accountId: string): Promise<RenewalResult> {
    const result = await this.accounts.withLockedCredentials(accountId, async (account, changes) => {
      const provider = this.platforms.get(account.platform);
      const credentials = this.open(account.id, account.platform, account.encryptedCredentials);
      // Whoever held the lock before us may have renewed them already.
      if (!provider.renewal || account.renewAt === null || account.renewAt.getTime() > Date.now()) {
        return { status: 'current' as const, credentials };
      }
      try {
        const renewed = await provider.renewal.renew(credentials);
        const sealed = this.seal(account.id, account.platform, renewed);
        await changes.renewed(sealed.encryptedCredentials, sealed.renewAt);
        this.logger.log(`Account ${accountId}: ${account.platform} credentials renewed`);
        return { status: 'renewed' as const, credentials: renewed };
      } catch (error) {
        const failure = provider.classifyError(error);
        if (failure.credentialsRejected) {
          const reason = `${failure.message}; connect the account again`;
          await changes.needsReauth(reason);
          this.logger.warn(`Account ${accountId} needs reconnecting: ${failure.message}`);
          return { status: 'revoked' as const, reason };
        }
        this.logger.warn(`Account ${accountId}: renewing its credentials failed, will retry: ${failure.message}`);
        return { status: 'failed' as const, reason: failure.message };
      }
    });
    return result ?? { status: 'gone' };
  }

  /** The platform refused the account's credentials while publishing: it needs reconnecting. */
  async markRejected(accountId: string, reason: string): Promise<void> {
    await this.accounts.withLockedCredentials(accountId, (_account, changes) =>
      changes.needsReauth(`${reason}; connect the account again`),
    );
  }
}
