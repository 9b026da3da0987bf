import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ApiClient } from '../support/api-client.js';
import { startBackend } from '../support/herald-apps.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/** Driver words that must not reach a caller of /health/ready: they map the internal network. */
const DRIVER_TEXT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|127\.0\.0\.1|localhost|::1|Connection terminated|timeout/i;

/** A TCP relay to PostgreSQL that the test can cut, taking the database away from a running backend. */
async function startRelay(target: URL): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** /health/ready names what is down in fixed words, never the driver's error text. */
describe('readiness', () => {
  let database: TestDatabase;
  let redis: TestRedis;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
  });

  afterAll(async () => {
    await redis?.close();
    await database?.drop();
  });

  it('names Redis when it is down, without the driver error', async () => {
    const environment = testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix });
    const backend = await startBackend(testConfig({ ...environment, REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const ready = await new ApiClient(backend.url).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details).toEqual([{ field: 'redis', message: 'the queue (Redis) does not answer' }]);
      expect(JSON.stringify(ready.body)).not.toMatch(DRIVER_TEXT);
    } finally {
      await backend.close();
    }
  });

  it('names PostgreSQL when it goes away, without the driver error', async () => {
    const url = new URL(database.url);
    const relay = await startRelay(url);
    const throughRelay = new URL(database.url);
    throughRelay.hostname = '127.0.0.1';
    throughRelay.port = String(relay.port);
    const environment = testEnvironment({ databaseUrl: throughRelay.toString(), queuePrefix: redis.prefix });
    const backend = await startBackend(testConfig(environment));
    try {
      const api = new ApiClient(backend.url);
      expect((await api.get('/health/ready')).status).toBe(200);
      await relay.cut();
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details).toEqual([{ field: 'postgres', message: 'the database (PostgreSQL) does not answer' }]);
      expect(JSON.stringify(ready.body)).not.toMatch(DRIVER_TEXT);
    } finally {
      await backend.close();
    }
  });
});
