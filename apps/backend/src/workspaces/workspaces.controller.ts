import { Body, Controller, Post } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { OperatorOnly } from '../auth/access.decorators.js';
import { Origin } from '../auth/principal.js';
import { CreateWorkspaceDto, type CreatedWorkspaceResponse } from './dto/create-workspace.dto.js';
import { WorkspacesService } from './workspaces.service.js';

@Controller('v1/workspaces')
@OperatorOnly()
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  create(@Origin() origin: ActionOrigin, @Body() body: CreateWorkspaceDto): Promise<CreatedWorkspaceResponse> {
    return this.workspaces.create(origin, body);
  }
}
