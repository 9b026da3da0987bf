import { Module } from '@nestjs/common';
import { AccountChanges } from './account-changes.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsService } from './accounts.service.js';

@Module({
  controllers: [AccountsController],
  providers: [AccountsService, AccountChanges],
  exports: [AccountChanges],
})
export class AccountsModule {}
