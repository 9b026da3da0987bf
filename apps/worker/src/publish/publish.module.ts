import { Module } from '@nestjs/common';
import { AttemptRecorder } from './attempt-recorder.js';
import { PublishPacing } from './publish-pacing.js';
import { PublishTargetProcessor } from './publish-target.processor.js';
import { PublishTargetService } from './publish-target.service.js';

@Module({
  providers: [PublishTargetProcessor, PublishTargetService, AttemptRecorder, PublishPacing],
  exports: [PublishTargetProcessor],
})
export class PublishModule {}
