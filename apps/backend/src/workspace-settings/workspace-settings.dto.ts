import { IsBoolean } from 'class-validator';
import type { WorkspaceSettings } from '@app/shared';

export class UpdateWorkspaceSettingsDto {
  @IsBoolean({ message: 'requiresApproval must be true or false' })
  requiresApproval!: boolean;
}

export type WorkspaceSettingsResponse = WorkspaceSettings;
