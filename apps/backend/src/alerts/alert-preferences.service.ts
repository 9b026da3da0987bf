import { Injectable } from '@nestjs/common';
import {
  type ActionOrigin,
  AlertPreferenceRepository,
  type AlertPreferences,
  AuditLogRepository,
  DomainError,
  TransactionRunner,
} from '@app/shared';
import type { WorkspacePrincipal } from '../auth/principal.js';
import type { AlertPreferencesResponse } from './dto/alert-preferences.dto.js';

/** Which alerts a member gets in a workspace: their own choice, so only they read and change it. */
@Injectable()
export class AlertPreferencesService {
  constructor(
    private readonly preferences: AlertPreferenceRepository,
    private readonly audit: AuditLogRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async get(member: WorkspacePrincipal): Promise<AlertPreferencesResponse> {
    const userId = personOf(member);
    const preferences = await this.transactions.forWorkspace(member.workspaceId, (tx) =>
      this.preferences.find(tx, member.workspaceId, userId),
    );
    return { workspaceId: member.workspaceId, ...preferences };
  }

  async replace(
    member: WorkspacePrincipal,
    preferences: AlertPreferences,
    origin: ActionOrigin,
  ): Promise<AlertPreferencesResponse> {
    const userId = personOf(member);
    // A copy with exactly the four kinds, whatever object the caller passed.
    const { failed, unknown, missed, needsReauth } = preferences;
    const chosen: AlertPreferences = { failed, unknown, missed, needsReauth };
    await this.transactions.forWorkspace(member.workspaceId, async (tx) => {
      await this.preferences.save(tx, member.workspaceId, userId, chosen);
      await this.audit.record(tx, member.workspaceId, origin, {
        action: 'member.alert_preferences_changed',
        subject: { type: 'user', id: userId },
        details: chosen,
      });
    });
    return { workspaceId: member.workspaceId, ...chosen };
  }
}

function personOf(member: WorkspacePrincipal): string {
  if (member.actor.type !== 'user') {
    throw new DomainError('FORBIDDEN', 'Alerts go to people: sign in to choose yours (an API key gets no alerts)');
  }
  return member.actor.id;
}
