import { Module } from '@nestjs/common';
import { MediaModule } from '@app/shared';
import { SweepCron } from './sweep.cron.js';
import { SweepService } from './sweep.service.js';

@Module({
  imports: [MediaModule],
  providers: [SweepCron, SweepService],
  exports: [SweepService],
})
export class SweepModule {}
