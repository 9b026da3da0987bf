import { Module } from '@nestjs/common';
import { AlertPreferencesController } from './alert-preferences.controller.js';
import { AlertPreferencesService } from './alert-preferences.service.js';

@Module({
  controllers: [AlertPreferencesController],
  providers: [AlertPreferencesService],
})
export class AlertsModule {}
