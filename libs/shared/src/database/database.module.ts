import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SocialAccountRepository } from '../accounts/social-account.repository.js';
import { AlertFactsRepository } from '../alerts/alert-facts.repository.js';
import { AlertPreferenceRepository } from '../alerts/alert-preference.repository.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AppConfig } from '../config/app-config.js';
import { EventConsumerRepository } from '../events/event-consumer.repository.js';
import { EventRepository } from '../events/event.repository.js';
import { PasswordHasher } from '../people/password-hasher.js';
import { UserRepository } from '../people/user.repository.js';
import { IdempotencyKeyRepository } from '../posts/idempotency-key.repository.js';
import { PublishingPauseRepository } from '../pauses/publishing-pause.repository.js';
import { PostCommentRepository } from '../posts/post-comment.repository.js';
import { PostTargetRepository } from '../posts/post-target.repository.js';
import { PostRepository } from '../posts/post.repository.js';
import { WorkspaceRepository } from '../workspaces/workspace.repository.js';
import { WorkspaceSettingsRepository } from '../workspaces/workspace-settings.repository.js';
import { dataSourceOptions } from './data-source-options.js';
import { TransactionRunner } from './transaction-runner.js';

const PROVIDERS = [
  TransactionRunner,
  WorkspaceRepository,
  SocialAccountRepository,
  PostRepository,
  PostTargetRepository,
  IdempotencyKeyRepository,
  EventRepository,
  AuditLogRepository,
  UserRepository,
  PasswordHasher,
  EventConsumerRepository,
  AlertPreferenceRepository,
  AlertFactsRepository,
  PostCommentRepository,
  PublishingPauseRepository,
  WorkspaceSettingsRepository,
];

/**
 * PostgreSQL connection, transactions and every repository. `processName` shows in pg_stat_activity;
 * `role`, when given, is the role every pooled connection starts as (the API's: see API_ROLE).
 */
@Module({})
export class DatabaseModule {
  static register(processName: string, role?: string): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config.databaseUrl, `herald-${processName}`, role),
            // Keep booting when PostgreSQL is briefly unreachable rather than crash-looping.
            retryAttempts: 30,
            retryDelay: 2_000,
          }),
        }),
      ],
      providers: PROVIDERS,
      exports: PROVIDERS,
    };
  }
}
