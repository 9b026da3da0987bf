import { Body, Controller, Get, Patch } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Origin, WorkspaceId } from '../auth/principal.js';
import { UpdateWorkspaceSettingsDto, type WorkspaceSettingsResponse } from './workspace-settings.dto.js';
import { WorkspaceSettingsService } from './workspace-settings.service.js';

@Controller('v1/workspace/settings')
export class WorkspaceSettingsController {
  constructor(private readonly settings: WorkspaceSettingsService) {}

  @RequiresRole('viewer')
  @Get()
  get(@WorkspaceId() workspaceId: string): Promise<WorkspaceSettingsResponse> {
    return this.settings.get(workspaceId);
  }

  @RequiresRole('admin')
  @Patch()
  update(
    @WorkspaceId() workspaceId: string,
    @Body() body: UpdateWorkspaceSettingsDto,
    @Origin() origin: ActionOrigin,
  ): Promise<WorkspaceSettingsResponse> {
    return this.settings.update(workspaceId, body, origin);
  }
}
