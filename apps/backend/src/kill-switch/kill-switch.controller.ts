import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Origin, WorkspaceId } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { PauseDto, type PauseStateResponse } from './kill-switch.dto.js';
import { KillSwitchService } from './kill-switch.service.js';

/** The kill switch: admins stop (and restart) publishing for the workspace or one account. */
@Controller('v1')
@RequiresRole('admin')
export class KillSwitchController {
  constructor(private readonly killSwitch: KillSwitchService) {}

  @RequiresRole('viewer')
  @Get('workspace/pauses')
  list(@WorkspaceId() workspaceId: string): Promise<{ items: PauseStateResponse[] }> {
    return this.killSwitch.list(workspaceId);
  }

  @Post('workspace/pause')
  @HttpCode(200)
  pauseWorkspace(
    @WorkspaceId() workspaceId: string,
    @Body() body: PauseDto,
    @Origin() origin: ActionOrigin,
  ): Promise<PauseStateResponse> {
    return this.killSwitch.pauseWorkspace(workspaceId, body.reason ?? null, origin);
  }

  @Post('workspace/resume')
  @HttpCode(200)
  resumeWorkspace(@WorkspaceId() workspaceId: string, @Origin() origin: ActionOrigin): Promise<PauseStateResponse> {
    return this.killSwitch.resumeWorkspace(workspaceId, origin);
  }

  @Post('accounts/:id/pause')
  @HttpCode(200)
  pauseAccount(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Account')) id: string,
    @Body() body: PauseDto,
    @Origin() origin: ActionOrigin,
  ): Promise<PauseStateResponse> {
    return this.killSwitch.pauseAccount(workspaceId, id, body.reason ?? null, origin);
  }

  @Post('accounts/:id/resume')
  @HttpCode(200)
  resumeAccount(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Account')) id: string,
    @Origin() origin: ActionOrigin,
  ): Promise<PauseStateResponse> {
    return this.killSwitch.resumeAccount(workspaceId, id, origin);
  }
}
