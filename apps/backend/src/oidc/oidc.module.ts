import { Module } from '@nestjs/common';
import { Clock } from '../connect/clock.js';
import { OAuthStateUseRepository } from '../connect/oauth-state-use.repository.js';
import { OidcClient } from './oidc-client.js';
import { OidcFlowCodec } from './oidc-flow.js';
import { OidcController } from './oidc.controller.js';
import { OidcService } from './oidc.service.js';
import { UserIdentityRepository } from './user-identity.repository.js';

/** Single sign-on through the deployment's OpenID Connect provider (OIDC_*). */
@Module({
  controllers: [OidcController],
  providers: [OidcService, OidcClient, OidcFlowCodec, UserIdentityRepository, OAuthStateUseRepository, Clock],
})
export class OidcModule {}
