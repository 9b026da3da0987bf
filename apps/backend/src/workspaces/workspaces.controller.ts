import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../auth/admin-token.guard.js';
import { CreateWorkspaceDto, type CreatedWorkspaceResponse } from './dto/create-workspace.dto.js';
import { WorkspacesService } from './workspaces.service.js';

@Controller('v1/workspaces')
@UseGuards(AdminTokenGuard)
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  create(@Body() body: CreateWorkspaceDto): Promise<CreatedWorkspaceResponse> {
    return this.workspaces.create(body.name);
  }
}
