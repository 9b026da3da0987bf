import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Origin, WorkspaceId } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { AccountsService } from './accounts.service.js';
import type { AccountResponse } from './dto/account.response.js';
import { CreateAccountDto } from './dto/create-account.dto.js';

@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @RequiresRole('admin')
  @Post()
  create(
    @WorkspaceId() workspaceId: string,
    @Body() body: CreateAccountDto,
    @Origin() origin: ActionOrigin,
  ): Promise<AccountResponse> {
    return this.accounts.create(workspaceId, body, origin);
  }

  @RequiresRole('viewer')
  @Get()
  async list(@WorkspaceId() workspaceId: string): Promise<{ items: AccountResponse[] }> {
    return { items: await this.accounts.list(workspaceId) };
  }

  @RequiresRole('viewer')
  @Get(':id')
  get(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Account')) id: string,
  ): Promise<AccountResponse> {
    return this.accounts.get(workspaceId, id);
  }

  @RequiresRole('admin')
  @Delete(':id')
  @HttpCode(204)
  delete(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Account')) id: string,
    @Origin() origin: ActionOrigin,
  ): Promise<void> {
    return this.accounts.delete(workspaceId, id, origin);
  }
}
