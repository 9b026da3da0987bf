import { Module } from '@nestjs/common';
import { PublishTargetProcessor } from './publish-target.processor.js';
import { PublishTargetService } from './publish-target.service.js';

@Module({
  providers: [PublishTargetProcessor, PublishTargetService],
  exports: [PublishTargetProcessor],
})
export class PublishModule {}
