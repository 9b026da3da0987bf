import type { AccountStatus, PlatformName, SocialAccount } from '@app/shared';

/** An account as the API shows it: never its credentials. */
export interface AccountResponse {
  id: string;
  platform: PlatformName;
  name: string;
  status: AccountStatus;
  createdAt: string;
}

export function toAccountResponse(account: SocialAccount): AccountResponse {
  return {
    id: account.id,
    platform: account.platform,
    name: account.name,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
  };
}
