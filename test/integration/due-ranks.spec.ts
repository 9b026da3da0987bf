import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DueRanks, FailFastRedis } from '@app/shared';
import { createTestRedis, TEST_REDIS_URL, type TestRedis } from '../support/test-redis.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';

/** Each new target's rank among its workspace's targets due in the same minute, shared through Redis. */
describe('DueRanks', () => {
  let redis: TestRedis;
  let connection: FailFastRedis;
  let ranks: DueRanks;
  const nine = new Date(Date.UTC(2030, 0, 1, 9));
  const at = (ms: number) => new Date(nine.getTime() + ms);

  beforeAll(async () => {
    redis = await createTestRedis();
    const config = testConfig(
      testEnvironment(
        { databaseUrl: 'postgres://unused@localhost/unused', queuePrefix: redis.prefix },
        { REDIS_URL: TEST_REDIS_URL },
      ),
    );
    connection = new FailFastRedis(config);
    await connection.onModuleInit();
    ranks = new DueRanks(connection, config);
  });

  afterAll(async () => {
    connection?.onModuleDestroy();
    await redis?.close();
  });

  it('counts on across calls within a minute, per minute and per workspace', async () => {
    const acme = randomUUID();
    const globex = randomUUID();
    expect(await ranks.next(acme, [nine, at(1_000), at(60_000)])).toEqual([1, 2, 1]);
    expect(await ranks.next(acme, [at(59_999), at(60_001), at(120_000)])).toEqual([3, 2, 1]);
    expect(await ranks.next(globex, [at(30_000)])).toEqual([1]);
  });

  it('keeps each counter a day past its minute, then lets it go', async () => {
    const workspace = randomUUID();
    await ranks.next(workspace, [nine]);
    const [key] = await redis.client.keys(`*due-rank:${workspace}:*`);
    expect(await redis.client.pexpiretime(key)).toBe(nine.getTime() + 60_000 + 24 * 3600 * 1000);
  });
});
