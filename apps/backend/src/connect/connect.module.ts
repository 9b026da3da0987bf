import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { Clock } from './clock.js';
import { ConnectController } from './connect.controller.js';
import { ConnectService } from './connect.service.js';
import { OAuthStateUseRepository } from './oauth-state-use.repository.js';
import { OAuthStateCodec } from './oauth-state.js';

@Module({
  imports: [AccountsModule],
  controllers: [ConnectController],
  providers: [ConnectService, OAuthStateCodec, OAuthStateUseRepository, Clock],
})
export class ConnectModule {}
