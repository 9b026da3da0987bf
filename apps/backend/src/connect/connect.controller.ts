import { Controller, Get, Param, Query } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import type { AccountResponse } from '../accounts/dto/account.response.js';
import { Public, RequiresRole } from '../auth/access.decorators.js';
import { Origin, WorkspaceId } from '../auth/principal.js';
import { ConnectService, type ConnectCallback, type ConnectStart } from './connect.service.js';
import { RequestSource } from './request-source.js';

@Controller('v1/connect')
export class ConnectController {
  constructor(private readonly connect: ConnectService) {}

  /** The platform's authorize URL, for the person who owns the account to open. */
  @Get(':platform')
  @RequiresRole('admin')
  start(
    @WorkspaceId() workspaceId: string,
    @Param('platform') platform: string,
    @Origin() origin: ActionOrigin,
  ): ConnectStart {
    return this.connect.start(workspaceId, platform, origin.actor);
  }

  /** Where the platform sends the person back; no API key: the sealed `state` names the workspace. */
  @Get(':platform/callback')
  @Public()
  async callback(
    @Param('platform') platform: string,
    @Query() query: ConnectCallback,
    @RequestSource() source: Omit<ActionOrigin, 'actor'>,
  ): Promise<{ items: AccountResponse[] }> {
    return { items: await this.connect.complete(platform, query, source) };
  }
}
