import { Body, Controller, Delete, Get, HttpCode, Param, Patch } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Member, Origin, WorkspaceId, type WorkspacePrincipal } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { ChangeRoleDto } from './dto/change-role.dto.js';
import type { WorkspaceMember } from './membership.repository.js';
import { MembersService } from './members.service.js';

@Controller('v1/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @RequiresRole('viewer')
  @Get()
  async list(@WorkspaceId() workspaceId: string): Promise<{ items: WorkspaceMember[] }> {
    return { items: await this.members.list(workspaceId) };
  }

  @RequiresRole('admin')
  @Patch(':userId')
  changeRole(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Param('userId', notFoundOnBadUuid('Member')) userId: string,
    @Body() body: ChangeRoleDto,
  ): Promise<WorkspaceMember> {
    return this.members.changeRole(principal, origin, userId, body.role);
  }

  /** Admins remove members; anyone may remove themselves (leave), so the route admits every role. */
  @RequiresRole('viewer')
  @Delete(':userId')
  @HttpCode(204)
  remove(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Param('userId', notFoundOnBadUuid('Member')) userId: string,
  ): Promise<void> {
    return this.members.remove(principal, origin, userId);
  }
}
