import type { AccountStatus, PlatformName, SocialAccount } from '@app/shared';

/** An account as the API shows it: never its credentials. */
export interface AccountResponse {
  id: string;
  platform: PlatformName;
  name: string;
  /** The platform's id of the account, as it told us when the credentials were checked. */
  externalId: string | null;
  status: AccountStatus;
  /** Why the account needs reconnecting, while `needs_reauth`. */
  statusReason: string | null;
  createdAt: string;
}

export function toAccountResponse(account: SocialAccount): AccountResponse {
  return {
    id: account.id,
    platform: account.platform,
    name: account.name,
    externalId: account.externalId,
    status: account.status,
    statusReason: account.statusReason,
    createdAt: account.createdAt.toISOString(),
  };
}
