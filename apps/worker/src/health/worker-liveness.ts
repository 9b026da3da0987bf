import { Injectable } from '@nestjs/common';
import { LivenessIndicator, type LivenessCheck } from '@app/shared';
import type { RedisClient, RedisConnection } from 'bullmq';
import { DataSource } from 'typeorm';
import { PublishTargetProcessor } from '../publish/publish-target.processor.js';

/**
 * A worker is live when it can take and finish a job: its BullMQ worker is running (not stopped,
 * closing or paused), its own Redis connections answer, and PostgreSQL (where every job is claimed
 * and recorded) answers. A worker that cannot take jobs is not healthy, even if its process is up.
 */
@Injectable()
export class WorkerLiveness extends LivenessIndicator {
  constructor(
    private readonly processor: PublishTargetProcessor,
    private readonly dataSource: DataSource,
  ) {
    super();
  }

  checks(): Record<string, LivenessCheck> {
    return {
      worker: () => this.checkWorker(),
      redis: () => this.checkRedis(),
      postgres: () => this.checkPostgres(),
    };
  }

  private checkWorker(): { concurrency: number } {
    const { worker } = this.processor;
    if (worker.closing) throw new Error('worker is closing');
    if (worker.isPaused()) throw new Error('worker is paused');
    if (!worker.isRunning()) throw new Error('worker is not running');
    return { concurrency: worker.concurrency };
  }

  /**
   * The worker's own connections, not a fresh one: those are what it takes jobs with. The blocking
   * connection waits for jobs, so only its state is read; a round trip on the main one shows Redis
   * answers (a hung Redis keeps the state "ready"; the liveness timeout bounds the wait).
   */
  private async checkRedis(): Promise<void> {
    const { worker } = this.processor;
    const { connection, blockingConnection } = worker.getBackend();
    const client = await readyClient('connection', connection);
    if (blockingConnection) await readyClient('blocking connection', blockingConnection);
    await client.llen(worker.keys.wait);
  }

  private async checkPostgres(): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('not connected');
    await this.dataSource.query('SELECT 1');
  }
}

async function readyClient(name: string, connection: RedisConnection): Promise<RedisClient> {
  // Until it first connects, BullMQ's connection hands out no client at all: read its state instead.
  if (connection.status !== 'ready') throw new Error(`${name} is ${connection.status}`);
  const client = await connection.client;
  if (client.status !== 'ready') throw new Error(`${name} is ${client.status}`);
  return client;
}
