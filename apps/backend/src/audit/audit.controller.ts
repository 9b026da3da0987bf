import { Controller, Get, Query } from '@nestjs/common';
import { RequiresRole } from '../auth/access.decorators.js';
import { WorkspaceId } from '../auth/principal.js';
import { AuditService } from './audit.service.js';
import type { AuditPageResponse } from './dto/audit-line.response.js';
import { AuditQuery } from './dto/audit.query.js';

@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The workspace's audit log, newest first, filtered and paged. */
  @RequiresRole('admin')
  @Get()
  list(@WorkspaceId() workspaceId: string, @Query() query: AuditQuery): Promise<AuditPageResponse> {
    return this.audit.list(workspaceId, query);
  }
}
