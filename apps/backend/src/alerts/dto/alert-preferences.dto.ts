import { IsBoolean } from 'class-validator';
import type { AlertPreferences, Role } from '@app/shared';

/** Every kind of alert, each on (true) or off: PUT replaces the member's whole choice. */
export class AlertPreferencesDto implements AlertPreferences {
  @IsBoolean()
  failed: boolean;

  @IsBoolean()
  unknown: boolean;

  @IsBoolean()
  missed: boolean;

  @IsBoolean()
  needsReauth: boolean;
}

export interface AlertPreferencesResponse extends AlertPreferences {
  workspaceId: string;
}

export interface WorkspaceAlertPreferencesResponse extends AlertPreferencesResponse {
  workspaceName: string;
  role: Role;
}
