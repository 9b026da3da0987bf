import { Injectable, Logger } from '@nestjs/common';
import { AccountCredentialsService, SocialAccountRepository } from '@app/shared';

/** Accounts renewed per pass; the rest wait for the next tick. */
const BATCH_SIZE = 100;

export interface RenewalSummary {
  renewed: number;
  revoked: number;
  failed: number;
}

/**
 * Renews expiring credentials (OAuth refresh tokens, AT Protocol sessions) before they expire, one
 * account at a time. A revoked grant marks the account `needs_reauth`; a temporary failure changes
 * nothing and is retried next pass, so an outage never disconnects an account.
 */
@Injectable()
export class CredentialRenewalService {
  private readonly logger = new Logger(CredentialRenewalService.name);

  constructor(
    private readonly accounts: SocialAccountRepository,
    private readonly credentials: AccountCredentialsService,
  ) {}

  async renewDue(): Promise<RenewalSummary> {
    const summary: RenewalSummary = { renewed: 0, revoked: 0, failed: 0 };
    for (const accountId of await this.accounts.findDueForRenewal(BATCH_SIZE)) {
      const result = await this.credentials.renew(accountId);
      if (result.status === 'renewed') summary.renewed += 1;
      if (result.status === 'revoked') summary.revoked += 1;
      if (result.status === 'failed') summary.failed += 1;
    }
    if (summary.renewed + summary.revoked + summary.failed > 0) {
      this.logger.log(`Credential renewal pass: ${JSON.stringify(summary)}`);
    }
    return summary;
  }
}
