import { Module } from '@nestjs/common';
import { ChangeRecorder } from '../common/change-recorder.js';
import { KillSwitchController } from './kill-switch.controller.js';
import { KillSwitchService } from './kill-switch.service.js';

@Module({
  controllers: [KillSwitchController],
  providers: [KillSwitchService, ChangeRecorder],
})
export class KillSwitchModule {}
