import { Module } from '@nestjs/common';
import { CredentialRenewalCron } from './credential-renewal.cron.js';
import { CredentialRenewalService } from './credential-renewal.service.js';

@Module({
  providers: [CredentialRenewalCron, CredentialRenewalService],
})
export class RenewalModule {}
