import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://localhost:6379';

export interface TestRedis {
  /** This test file's own BullMQ key prefix. */
  prefix: string;
  client: Redis;
  /** Deletes every key of this prefix: what a FLUSHALL does to this test's queue, without touching other files. */
  flush(): Promise<number>;
  close(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const prefix = `herald-test-${randomBytes(5).toString('hex')}`;
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await client.connect();
  const flush = async (): Promise<number> => {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
    return deleted;
  };
  return {
    prefix,
    client,
    flush,
    close: async () => {
      await flush();
      await client.quit();
    },
  };
}
