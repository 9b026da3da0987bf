import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { AccountResponse } from '../accounts/dto/account.response.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { WorkspaceId } from '../auth/workspace-id.decorator.js';
import { ConnectService, type ConnectCallback, type ConnectStart } from './connect.service.js';

@Controller('v1/connect')
export class ConnectController {
  constructor(private readonly connect: ConnectService) {}

  /** The platform's authorize URL, for the person who owns the account to open. */
  @Get(':platform')
  @UseGuards(ApiKeyGuard)
  start(@WorkspaceId() workspaceId: string, @Param('platform') platform: string): ConnectStart {
    return this.connect.start(workspaceId, platform);
  }

  /** Where the platform sends the person back; no API key: the sealed `state` names the workspace. */
  @Get(':platform/callback')
  async callback(
    @Param('platform') platform: string,
    @Query() query: ConnectCallback,
  ): Promise<{ items: AccountResponse[] }> {
    return { items: await this.connect.complete(platform, query) };
  }
}
