import { Module } from '@nestjs/common';
import { CredentialsCipher } from '@app/shared';
import { AccountsController } from './accounts.controller.js';
import { AccountsService } from './accounts.service.js';

@Module({
  controllers: [AccountsController],
  providers: [AccountsService, CredentialsCipher],
})
export class AccountsModule {}
