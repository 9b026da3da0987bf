import { Injectable } from '@nestjs/common';
import { CredentialsCipher, DomainError, PlatformRegistry, SocialAccountRepository } from '@app/shared';
import { toAccountResponse, type AccountResponse } from './dto/account.response.js';
import type { CreateAccountDto } from './dto/create-account.dto.js';

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: SocialAccountRepository,
    private readonly platforms: PlatformRegistry,
    private readonly cipher: CredentialsCipher,
  ) {}

  async create(workspaceId: string, input: CreateAccountDto): Promise<AccountResponse> {
    const credentials = this.platforms.get(input.platform).parseCredentials(input.credentials);
    const account = await this.accounts.create({
      workspaceId,
      platform: input.platform,
      name: input.name,
      encryptedCredentials: this.cipher.encrypt(credentials as object),
    });
    return toAccountResponse(account);
  }

  async list(workspaceId: string): Promise<AccountResponse[]> {
    return (await this.accounts.findAll(workspaceId)).map(toAccountResponse);
  }

  async get(workspaceId: string, id: string): Promise<AccountResponse> {
    const account = await this.accounts.findOne(workspaceId, id);
    if (!account) throw DomainError.notFound('Account');
    return toAccountResponse(account);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.accounts.softDelete(workspaceId, id))) throw DomainError.notFound('Account');
  }
}
