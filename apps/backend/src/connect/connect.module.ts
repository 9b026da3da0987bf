import { Module } from '@nestjs/common';
import { ConnectController } from './connect.controller.js';
import { ConnectService } from './connect.service.js';
import { OAuthStateCodec } from './oauth-state.js';

@Module({
  controllers: [ConnectController],
  providers: [ConnectService, OAuthStateCodec],
})
export class ConnectModule {}
