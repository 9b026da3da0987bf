import { Controller, Get, Param, Query } from '@nestjs/common';
import type { AccountResponse } from '../accounts/dto/account.response.js';
import { Public, RequiresRole } from '../auth/access.decorators.js';
import { WorkspaceId } from '../auth/principal.js';
import { ConnectService, type ConnectCallback, type ConnectStart } from './connect.service.js';

@Controller('v1/connect')
export class ConnectController {
  constructor(private readonly connect: ConnectService) {}

  /** The platform's authorize URL, for the person who owns the account to open. */
  @Get(':platform')
  @RequiresRole('admin')
  start(@WorkspaceId() workspaceId: string, @Param('platform') platform: string): ConnectStart {
    return this.connect.start(workspaceId, platform);
  }

  /** Where the platform sends the person back; no API key: the sealed `state` names the workspace. */
  @Get(':platform/callback')
  @Public()
  async callback(
    @Param('platform') platform: string,
    @Query() query: ConnectCallback,
  ): Promise<{ items: AccountResponse[] }> {
    return { items: await this.connect.complete(platform, query) };
  }
}
