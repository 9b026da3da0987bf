import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import type { ApiKey } from '../auth/api-key.repository.js';
import { Member, Origin, WorkspaceId, type WorkspacePrincipal } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { ApiKeysService, type CreatedApiKey } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@Controller('v1/api-keys')
@RequiresRole('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  async list(@WorkspaceId() workspaceId: string): Promise<{ items: ApiKey[] }> {
    return { items: await this.apiKeys.list(workspaceId) };
  }

  @Post()
  create(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKey> {
    return this.apiKeys.create(principal, origin, body);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(
    @WorkspaceId() workspaceId: string,
    @Origin() origin: ActionOrigin,
    @Param('id', notFoundOnBadUuid('API key')) id: string,
  ): Promise<void> {
    return this.apiKeys.revoke(workspaceId, origin, id);
  }
}
