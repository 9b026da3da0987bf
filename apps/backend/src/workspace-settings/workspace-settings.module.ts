import { Module } from '@nestjs/common';
import { ChangeRecorder } from '../common/change-recorder.js';
import { WorkspaceSettingsController } from './workspace-settings.controller.js';
import { WorkspaceSettingsService } from './workspace-settings.service.js';

@Module({
  controllers: [WorkspaceSettingsController],
  providers: [WorkspaceSettingsService, ChangeRecorder],
})
export class WorkspaceSettingsModule {}
