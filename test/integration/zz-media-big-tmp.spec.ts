import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import { ApiClient } from '../support/api-client.js';
import { newWorkspace } from '../support/factories.js';
import { startBackend } from '../support/herald-apps.js';
import { createTestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis } from '../support/test-redis.js';

it('big upload', async () => {
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  const dir = await mkdtemp(join(tmpdir(), 'm-'));
  const backend = await startBackend(testConfig(testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix }, { MEDIA_STORAGE_DIR: dir })));
  const ws = await newWorkspace(new ApiClient(backend.url));
  for (const size of [30 * 1024 * 1024, 200 * 1024 * 1024]) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(size)]), 'big.png');
    const started = Date.now();
    const response = await fetch(`${backend.url}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${ws.apiKey}` }, body: form });
    console.log(size, response.status, await response.text(), Date.now() - started, 'ms');
    expect(response.status).toBe(413);
  }
  await backend.close(); await redis.close(); await database.drop();
}, 120_000);
