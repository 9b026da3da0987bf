import { Injectable } from '@nestjs/common';
import { AuditLogRepository, EventRepository, type ActionOrigin, type SocialAccount, type Tx } from '@app/shared';

/** How an account came to be connected: credentials given to POST /v1/accounts, or an OAuth connection. */
export type ConnectedThrough = 'credentials' | 'oauth';

/**
 * Reports changes to a workspace's accounts: an event for the outbox and a line in the audit log, in
 * the transaction of the change, so both exist exactly when the change does.
 */
@Injectable()
export class AccountChanges {
  constructor(
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  /** `reconnected`: the account existed and is active again with new credentials. */
  async connected(
    tx: Tx,
    origin: ActionOrigin,
    account: SocialAccount,
    through: ConnectedThrough,
    reconnected = false,
  ): Promise<void> {
    await this.report(tx, origin, account, reconnected ? 'account.reconnected' : 'account.connected', { through });
  }

  async removed(tx: Tx, origin: ActionOrigin, account: SocialAccount): Promise<void> {
    await this.report(tx, origin, account, 'account.removed', {});
  }

  private async report(
    tx: Tx,
    origin: ActionOrigin,
    account: SocialAccount,
    type: 'account.connected' | 'account.reconnected' | 'account.removed',
    details: Record<string, unknown>,
  ): Promise<void> {
    const facts = { accountId: account.id, platform: account.platform, name: account.name };
    await this.events.append(tx, account.workspaceId, [{ type, data: facts }]);
    await this.audit.record(tx, account.workspaceId, origin, {
      action: type,
      subject: { type: 'account', id: account.id },
      details: { platform: account.platform, name: account.name, ...details },
    });
  }
}
