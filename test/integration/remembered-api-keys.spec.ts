import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ApiKeyRepository } from '../../apps/backend/src/auth/api-key.repository.js';
import { API_KEY_REMEMBERED_MS, RememberedApiKeys } from '../../apps/backend/src/auth/remembered-api-keys.js';
import { openRepositories, type Repositories } from '../support/repositories.js';

/** A key revoked in the database stops working within API_KEY_REMEMBERED_MS; an unknown one is never remembered. */
describe('RememberedApiKeys', () => {
  let repositories: Repositories;
  let remembered: () => RememberedApiKeys;

  beforeAll(async () => {
    repositories = await openRepositories();
    remembered = () => new RememberedApiKeys(new ApiKeyRepository(repositories.sql));
  });
  afterAll(() => repositories.close());

  async function workspaceWithKey(): Promise<{ id: string; keyHash: string }> {
    const keyHash = randomBytes(32).toString('hex');
    const workspace = await repositories.workspaces.createWithApiKey('Keys', keyHash);
    return { id: workspace.id, keyHash };
  }

  const revoke = (keyHash: string) =>
    repositories.sql.query(`UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1`, [keyHash]);

  it('answers a revoked key from memory until the interval ends, then refuses it', async () => {
    const keys = remembered();
    const { id, keyHash } = await workspaceWithKey();
    const seen = 1_000_000;
    expect((await keys.principal(keyHash, seen))?.workspaceId).toBe(id);
    await revoke(keyHash);
    expect((await keys.principal(keyHash, seen + API_KEY_REMEMBERED_MS - 1))?.workspaceId).toBe(id);
    expect(await keys.principal(keyHash, seen + API_KEY_REMEMBERED_MS)).toBeNull();
    expect(await keys.principal(keyHash, seen + API_KEY_REMEMBERED_MS + 1)).toBeNull();
  });

  it('forgets a key revoked by this process at once', async () => {
    const keys = remembered();
    const { keyHash } = await workspaceWithKey();
    const key = await keys.principal(keyHash, 0);
    await revoke(keyHash);
    keys.forget(key!.apiKeyId);
    expect(await keys.principal(keyHash, 1)).toBeNull();
  });

  it('looks an unknown key up every time, so a key created meanwhile works at once', async () => {
    const keys = remembered();
    const keyHash = randomBytes(32).toString('hex');
    expect(await keys.principal(keyHash, 0)).toBeNull();
    const workspace = await repositories.workspaces.createWithApiKey('Late', keyHash);
    expect((await keys.principal(keyHash, 1))?.workspaceId).toBe(workspace.id);
  });
});
