import { Injectable } from '@nestjs/common';
import { generateApiKey, hashApiKey, WorkspaceRepository } from '@app/shared';
import type { CreatedWorkspaceResponse } from './dto/create-workspace.dto.js';

@Injectable()
export class WorkspacesService {
  constructor(private readonly workspaces: WorkspaceRepository) {}

  async create(name: string): Promise<CreatedWorkspaceResponse> {
    const apiKey = generateApiKey();
    const workspace = await this.workspaces.createWithApiKey(name, hashApiKey(apiKey));
    return { id: workspace.id, name: workspace.name, apiKey };
  }
}
