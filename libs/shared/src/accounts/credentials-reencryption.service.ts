import { Injectable } from '@nestjs/common';
import { CredentialsCipher } from '../crypto/credentials-cipher.js';
import { type CredentialsReplacement, SocialAccountRepository } from './social-account.repository.js';

export interface ReencryptionCounts {
  /** Sealed anew under the current key. */
  reencrypted: number;
  /** Under the current key already (from a renewal since the key changed, or an earlier run). */
  current: number;
  /** Renewed or reconnected between being read and replaced: the newer credentials were kept. */
  changedMeanwhile: number;
  /** Accounts whose credentials no configured key opens: left as they are. */
  unreadable: string[];
}

/**
 * Re-encrypts every account's stored credentials under the current key (`npm run keys:reencrypt`), so
 * the keys in DECRYPTION_KEYS can be removed. Runs page by page next to the live system: each row is
 * replaced only if it still holds what was read, and running it again does only what is left.
 */
@Injectable()
export class CredentialsReencryption {
  constructor(
    private readonly accounts: SocialAccountRepository,
    private readonly cipher: CredentialsCipher,
  ) {}

  async run(batchSize: number): Promise<ReencryptionCounts> {
    const counts: ReencryptionCounts = { reencrypted: 0, current: 0, changedMeanwhile: 0, unreadable: [] };
    let afterId: string | null = null;
    for (;;) {
      const page = await this.accounts.credentialsPage(afterId, batchSize);
      if (page.length === 0) return counts;
      afterId = page[page.length - 1].accountId;
      const replacements: CredentialsReplacement[] = [];
      for (const { accountId, encryptedCredentials } of page) {
        if (this.cipher.isCurrent(encryptedCredentials)) {
          counts.current++;
          continue;
        }
        try {
          const credentials = this.cipher.decrypt(accountId, encryptedCredentials);
          replacements.push({
            accountId,
            expected: encryptedCredentials,
            encryptedCredentials: this.cipher.encrypt(accountId, credentials),
          });
        } catch {
          counts.unreadable.push(accountId);
        }
      }
      const replaced = await this.accounts.replaceCredentials(replacements);
      counts.reencrypted += replaced;
      counts.changedMeanwhile += replacements.length - replaced;
    }
  }
}
