import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { DomainError } from '@app/shared';
import { Public } from '../auth/access.decorators.js';
import { RedisHealthIndicator } from './redis.health.js';

/**
 * What the 503 says of each dependency: fixed words, never the driver's error, which can carry
 * internal addresses, user names and database names.
 */
const DOWN_MESSAGES: Record<string, string> = {
  postgres: 'the database (PostgreSQL) does not answer',
  redis: 'the queue (Redis) does not answer',
};

@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** Liveness: the process serves HTTP. Deliberately checks no dependency, so an outage never restarts it. */
  @Get()
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis both answer. 503 names each dependency that does not. */
  @Get('ready')
  async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.postgres.pingCheck('postgres', { timeout: 2_000 }),
        () => this.redis.pingCheck('redis'),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const { error: down = {} } = error.getResponse() as HealthCheckResult;
      throw new DomainError(
        'DEPENDENCY_UNAVAILABLE',
        `Not ready: ${Object.keys(down).join(', ')} unavailable`,
        Object.keys(down).map((field) => ({ field, message: DOWN_MESSAGES[field] ?? 'does not answer' })),
      );
    }
  }
}
