import type { DataSourceOptions } from 'typeorm';
import { SocialAccount } from '../accounts/social-account.entity.js';
import { PostTarget } from '../posts/post-target.entity.js';
import { Post } from '../posts/post.entity.js';
import { ApiKey } from '../workspaces/api-key.entity.js';
import { Workspace } from '../workspaces/workspace.entity.js';
import { InitialSchema1763750000000 } from './migrations/1763750000000-initial-schema.js';
import { MediaThreadsConnections1763850000000 } from './migrations/1763850000000-media-threads-connections.js';

export const ENTITIES = [Workspace, ApiKey, SocialAccount, Post, PostTarget];
export const MIGRATIONS = [InitialSchema1763750000000, MediaThreadsConnections1763850000000];

/** The one TypeORM configuration every process uses. The schema only ever changes through migrations. */
export function dataSourceOptions(databaseUrl: string, applicationName: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
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
    },
  };
}
