import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { WorkspaceId } from '../auth/workspace-id.decorator.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { AccountsService } from './accounts.service.js';
import type { AccountResponse } from './dto/account.response.js';
import { CreateAccountDto } from './dto/create-account.dto.js';

@Controller('v1/accounts')
@UseGuards(ApiKeyGuard)
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  create(@WorkspaceId() workspaceId: string, @Body() body: CreateAccountDto): Promise<AccountResponse> {
    return this.accounts.create(workspaceId, body);
  }

  @Get()
  async list(@WorkspaceId() workspaceId: string): Promise<{ items: AccountResponse[] }> {
    return { items: await this.accounts.list(workspaceId) };
  }

  @Get(':id')
  get(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Account')) id: string,
  ): Promise<AccountResponse> {
    return this.accounts.get(workspaceId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@WorkspaceId() workspaceId: string, @Param('id', notFoundOnBadUuid('Account')) id: string): Promise<void> {
    return this.accounts.delete(workspaceId, id);
  }
}
