import { Module } from '@nestjs/common';
import { AttemptRecorder } from './attempt-recorder.js';
import { PublishTargetProcessor } from './publish-target.processor.js';
import { PublishTargetService } from './publish-target.service.js';

@Module({
  providers: [PublishTargetProcessor, PublishTargetService, AttemptRecorder],
  exports: [PublishTargetProcessor],
})
export class PublishModule {}
