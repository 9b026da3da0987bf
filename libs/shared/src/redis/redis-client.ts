import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConnectionSettings } from '../config/app-config.js';

export type RedisClient = Redis | Cluster;

/** How one client behaves while Redis is away: what differs between the users of Redis. */
export interface RedisBehaviour {
  /** false: a command fails at once while disconnected instead of waiting for the connection. */
  enableOfflineQueue: boolean;
  /** null: a command waits through reconnections (what BullMQ's blocking connections require). */
  maxRetriesPerRequest: number | null;
  connectTimeout: number;
  commandTimeout?: number;
  retryStrategy: (times: number) => number;
}

/**
 * A client of the configured Redis: the single node of REDIS_URL, or the cluster of REDIS_CLUSTER_NODES
 * (ioredis' Cluster, which follows slots and redirections itself). The one place that tells them apart.
 */
export function createRedisClient(settings: RedisConnectionSettings, behaviour: RedisBehaviour): RedisClient {
  const { host, port, db, cluster, ...credentials } = settings;
  if (!cluster) return new Redis({ host, port, db, ...credentials, ...behaviour });
  const { enableOfflineQueue, retryStrategy, ...perNode } = behaviour;
  const redisOptions: RedisOptions = { ...credentials, ...perNode };
  return new Cluster(cluster, { enableOfflineQueue, clusterRetryStrategy: retryStrategy, redisOptions });
}
