import { Injectable } from '@nestjs/common';
import {
  AccountCredentialsService,
  DomainError,
  PlatformRegistry,
  PostTargetRepository,
  SocialAccountRepository,
  TransactionRunner,
  type AccountIdentity,
  type ActionOrigin,
  type PlatformProvider,
} from '@app/shared';
import { AccountChanges } from './account-changes.js';
import { toAccountResponse, type AccountResponse } from './dto/account.response.js';
import type { CreateAccountDto } from './dto/create-account.dto.js';

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: SocialAccountRepository,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: AccountCredentialsService,
    private readonly targets: PostTargetRepository,
    private readonly transactions: TransactionRunner,
    private readonly changes: AccountChanges,
  ) {}

  /** Adds an account once its platform has accepted the credentials. */
  async create(workspaceId: string, input: CreateAccountDto, origin: ActionOrigin): Promise<AccountResponse> {
    const provider = this.platforms.get(input.platform);
    const credentials = provider.parseCredentials(input.credentials);
    const identity = await verifyWithPlatform(provider, credentials);
    const account = await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const created = await this.accounts.create(
        tx,
        {
          workspaceId,
          platform: input.platform,
          name: input.name ?? identity.displayName,
          externalId: identity.externalId,
        },
        (accountId) => this.credentials.seal(accountId, input.platform, credentials),
      );
      await this.changes.connected(tx, origin, created, 'credentials');
      return created;
    });
    return toAccountResponse(account);
  }

  async list(workspaceId: string): Promise<AccountResponse[]> {
    const accounts = await this.transactions.forWorkspace(workspaceId, (tx) => this.accounts.findAll(tx, workspaceId));
    return accounts.map(toAccountResponse);
  }

  async get(workspaceId: string, id: string): Promise<AccountResponse> {
    const account = await this.transactions.forWorkspace(workspaceId, (tx) =>
      this.accounts.findOne(tx, workspaceId, id),
    );
    if (!account) throw DomainError.notFound('Account');
    return toAccountResponse(account);
  }

  /** Deletes the account and cancels its targets still waiting to be published: a deleted account never publishes. */
  async delete(workspaceId: string, id: string, origin: ActionOrigin): Promise<void> {
    const deleted = await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const account = await this.accounts.softDelete(tx, workspaceId, id);
      if (!account) return false;
      await this.targets.cancelPendingOfDeletedAccount(tx, id);
      await this.changes.removed(tx, origin, account);
      return true;
    });
    if (!deleted) throw DomainError.notFound('Account');
  }
}

/**
 * Asks the platform whose credentials these are. A refusal is the caller's to fix (400 quoting the
 * platform); a platform that cannot be reached is not (503: try again).
 */
async function verifyWithPlatform(provider: PlatformProvider, credentials: unknown): Promise<AccountIdentity> {
  try {
    return await provider.verifyCredentials(credentials);
  } catch (error) {
    // A provider's own verdict on the credentials (e.g. "the bot may not post in this chat") names its field.
    if (error instanceof DomainError) throw error;
    const failure = provider.classifyError(error);
    const platform = provider.rules.displayName;
    if (failure.kind === 'permanent') {
      throw DomainError.validation([{ field: 'credentials', message: `${platform} refused them: ${failure.message}` }]);
    }
    throw new DomainError(
      'DEPENDENCY_UNAVAILABLE',
      `Could not check the credentials with ${platform}: ${failure.message}. Try again later.`,
    );
  }
}
