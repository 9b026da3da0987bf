import { Module } from '@nestjs/common';
import { CredentialsCipher } from '@app/shared';
import { PublishTargetProcessor } from './publish-target.processor.js';
import { PublishTargetService } from './publish-target.service.js';

@Module({
  providers: [PublishTargetProcessor, PublishTargetService, CredentialsCipher],
  exports: [PublishTargetProcessor],
})
export class PublishModule {}
