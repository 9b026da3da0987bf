import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1763750000000 } from './migrations/1763750000000-initial-schema.js';
import { MediaThreadsConnections1763850000000 } from './migrations/1763850000000-media-threads-connections.js';
import { OAuthStateUses1764900000000 } from './migrations/1764900000000-oauth-state-uses.js';
import { SameWorkspaceReferences1765000000000 } from './migrations/1765000000000-same-workspace-references.js';
import { RowLevelSecurity1765100000000 } from './migrations/1765100000000-row-level-security.js';
import { People1766000000000 } from './migrations/1766000000000-people.js';
import { Alerts1766000600000 } from './migrations/1766000600000-alerts.js';
import { PasswordResets1766000100000 } from './migrations/1766000100000-password-resets.js';
import { AuditLogFilters1766000500000 } from './migrations/1766000500000-audit-log-filters.js';
import { Invitations1766000300000 } from './migrations/1766000300000-invitations.js';
import { ApprovalsCommentsPauses1766000400000 } from './migrations/1766000400000-approvals-comments-pauses.js';

export const MIGRATIONS = [
  InitialSchema1763750000000,
  MediaThreadsConnections1763850000000,
  OAuthStateUses1764900000000,
  SameWorkspaceReferences1765000000000,
  RowLevelSecurity1765100000000,
  People1766000000000,
  PasswordResets1766000100000,
  Invitations1766000300000,
  ApprovalsCommentsPauses1766000400000,
  AuditLogFilters1766000500000,
  Alerts1766000600000,
];

/**
 * The one TypeORM configuration every process uses. TypeORM serves connections and migrations only:
 * there are no entities (repositories write SQL), and the schema only ever changes through migrations.
 */
export function dataSourceOptions(databaseUrl: string, applicationName: string, role?: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    applicationName,
    extra: {
      max: 10,
      // Fail fast instead of queueing forever when PostgreSQL is unreachable or the pool is exhausted.
      connectionTimeoutMillis: 5_000,
      // Keeps the pool alive across a PostgreSQL restart: broken idle clients are dropped and replaced.
      keepAlive: true,
      // Every connection starts as this role, so a query outside a workspace's transaction sees nothing.
      ...(role ? { options: `-c role=${role}` } : {}),
    },
  };
}
