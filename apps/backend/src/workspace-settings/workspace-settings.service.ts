import { Injectable } from '@nestjs/common';
import { DomainError, TransactionRunner, WorkspaceSettingsRepository, type ActionOrigin } from '@app/shared';
import { ChangeRecorder } from '../common/change-recorder.js';
import type { UpdateWorkspaceSettingsDto, WorkspaceSettingsResponse } from './workspace-settings.dto.js';

@Injectable()
export class WorkspaceSettingsService {
  constructor(
    private readonly settings: WorkspaceSettingsRepository,
    private readonly transactions: TransactionRunner,
    private readonly recorder: ChangeRecorder,
  ) {}

  async get(workspaceId: string): Promise<WorkspaceSettingsResponse> {
    const settings = await this.transactions.forWorkspace(workspaceId, (tx) => this.settings.find(tx, workspaceId));
    if (!settings) throw DomainError.notFound('Workspace');
    return settings;
  }

  /**
   * Changes the settings. Turning approval off leaves the posts already waiting for approval waiting:
   * an admin approves or rejects them.
   */
  async update(
    workspaceId: string,
    input: UpdateWorkspaceSettingsDto,
    origin: ActionOrigin,
  ): Promise<WorkspaceSettingsResponse> {
    const updated = await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const change = await this.settings.update(tx, workspaceId, input);
      if (change && change.before.requiresApproval !== change.after.requiresApproval) {
        await this.recorder.record(tx, workspaceId, origin, [
          {
            type: 'workspace.settings_changed',
            subject: { type: 'workspace', id: workspaceId },
            data: { requiresApproval: { from: change.before.requiresApproval, to: change.after.requiresApproval } },
          },
        ]);
      }
      return change?.after;
    });
    if (!updated) throw DomainError.notFound('Workspace');
    return updated;
  }
}
