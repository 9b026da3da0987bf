import { Injectable } from '@nestjs/common';
import {
  type ActionOrigin,
  AlertPreferenceRepository,
  type AlertPreferences,
  AuditLogRepository,
  DomainError,
  TransactionRunner,
} from '@app/shared';
import type { AlertPreferencesResponse, WorkspaceAlertPreferencesResponse } from './dto/alert-preferences.dto.js';

/** Which alerts a person gets in each of their workspaces: their own choice, so only they read and change it. */
@Injectable()
export class AlertPreferencesService {
  constructor(
    private readonly preferences: AlertPreferenceRepository,
    private readonly audit: AuditLogRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async list(userId: string): Promise<WorkspaceAlertPreferencesResponse[]> {
    return (await this.preferences.ofUser(userId)).map(({ workspaceId, workspaceName, role, preferences }) => ({
      workspaceId,
      workspaceName,
      role,
      ...preferences,
    }));
  }

  /** Replaces the person's choices in a workspace of theirs; 404 for any other (whether or not it exists). */
  async replace(
    userId: string,
    workspaceId: string,
    preferences: AlertPreferences,
    origin: ActionOrigin,
  ): Promise<AlertPreferencesResponse> {
    // Exactly the four kinds, whatever else the object carries.
    const { failed, unknown, missed, needsReauth } = preferences;
    const chosen: AlertPreferences = { failed, unknown, missed, needsReauth };
    await this.transactions.forWorkspace(workspaceId, async (tx) => {
      if (!(await this.preferences.save(tx, workspaceId, userId, chosen))) throw DomainError.notFound('Workspace');
      await this.audit.record(tx, workspaceId, origin, {
        action: 'member.alert_preferences_changed',
        subject: { type: 'user', id: userId },
        details: chosen,
      });
    });
    return { workspaceId, ...chosen };
  }
}
