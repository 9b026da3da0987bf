import { Body, Controller, Post } from '@nestjs/common';
import { OperatorOnly } from '../auth/access.decorators.js';
import { CreateWorkspaceDto, type CreatedWorkspaceResponse } from './dto/create-workspace.dto.js';
import { WorkspacesService } from './workspaces.service.js';

@Controller('v1/workspaces')
@OperatorOnly()
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  create(@Body() body: CreateWorkspaceDto): Promise<CreatedWorkspaceResponse> {
    return this.workspaces.create(body.name);
  }
}
