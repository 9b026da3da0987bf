import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { AccessGuard } from './access.guard.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { CsrfTokens } from './csrf-tokens.js';
import { RememberedApiKeys } from './remembered-api-keys.js';
import { SessionRepository } from './session.repository.js';
import { SessionsService } from './sessions.service.js';

/** Who a request acts for (API key, session, operator), checked on every route by the AccessGuard. */
@Global()
@Module({
  imports: [RateLimitModule],
  providers: [
    { provide: APP_GUARD, useClass: AccessGuard },
    ApiKeyRepository,
    RememberedApiKeys,
    SessionRepository,
    CsrfTokens,
    SessionsService,
  ],
  exports: [ApiKeyRepository, RememberedApiKeys, SessionRepository, CsrfTokens, SessionsService],
})
export class AuthModule {}
