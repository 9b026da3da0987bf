import { type DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import {
  API_ROLE,
  AppConfig,
  ConfigModule,
  DatabaseModule,
  MailModule,
  PlatformsModule,
  QueueModule,
} from '@app/shared';
import { AccountsModule } from './accounts/accounts.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuditModule } from './audit/audit.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConnectModule } from './connect/connect.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { RequestIdMiddleware } from './common/request-id.middleware.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { HealthModule } from './health/health.module.js';
import { InvitationsModule } from './invitations/invitations.module.js';
import { KillSwitchModule } from './kill-switch/kill-switch.module.js';
import { MediaApiModule } from './media/media-api.module.js';
import { OidcModule } from './oidc/oidc.module.js';
import { PeopleAuthModule } from './people-auth/people-auth.module.js';
import { MembersModule } from './members/members.module.js';
import { PostsModule } from './posts/posts.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { WorkspaceSettingsModule } from './workspace-settings/workspace-settings.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';

@Module({
  imports: [
    DatabaseModule.register('backend', API_ROLE),
    QueueModule.register('producer'),
    PlatformsModule,
    RateLimitModule,
    AuthModule,
    MailModule,
    HealthModule,
    WorkspacesModule,
    AccountsModule,
    ConnectModule,
    PostsModule,
    MediaApiModule,
    OidcModule,
    AlertsModule,
    PeopleAuthModule,
    AuditModule,
    MembersModule,
    InvitationsModule,
    ApiKeysModule,
    WorkspaceSettingsModule,
    KillSwitchModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class BackendModule implements NestModule {
  /** The module with the configuration validated at start-up. */
  static forRoot(config: AppConfig): DynamicModule {
    return { module: BackendModule, imports: [ConfigModule.forRoot(config)] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestIdMiddleware).forRoutes('*path');
  }
}
