import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Member, Origin, type WorkspacePrincipal } from '../auth/principal.js';
import type { WorkspaceMember } from '../members/membership.repository.js';
import { MembersService } from '../members/members.service.js';
import { DeleteWorkspaceDto, RenameWorkspaceDto, TransferWorkspaceDto } from './dto/workspace-changes.dto.js';
import { type WorkspaceResponse, WorkspacesService } from './workspaces.service.js';

/** The workspace the request acts in (its API key's, or the one a session names). */
@Controller('v1/workspace')
export class WorkspaceController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly members: MembersService,
  ) {}

  @RequiresRole('viewer')
  @Get()
  get(@Member() principal: WorkspacePrincipal): Promise<WorkspaceResponse> {
    return this.workspaces.get(principal.workspaceId, principal.role);
  }

  @RequiresRole('admin')
  @Patch()
  rename(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Body() body: RenameWorkspaceDto,
  ): Promise<WorkspaceResponse> {
    return this.workspaces.rename(principal.workspaceId, principal.role, origin, body.name);
  }

  @RequiresRole('owner')
  @Delete()
  @HttpCode(204)
  delete(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Body() body: DeleteWorkspaceDto,
  ): Promise<void> {
    return this.workspaces.delete(principal.workspaceId, origin, body.confirmName);
  }

  /** The owner hands the workspace to another member, who becomes owner; the caller becomes admin. */
  @RequiresRole('owner')
  @Post('transfer')
  @HttpCode(200)
  transfer(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Body() body: TransferWorkspaceDto,
  ): Promise<WorkspaceMember> {
    return this.members.transferOwnership(principal, origin, body.userId);
  }
}
