import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { API_KEY_REMEMBERED_MS, ApiKeyWorkspaces } from '../../apps/backend/src/auth/api-key-workspaces.js';
import { openRepositories, type Repositories } from '../support/repositories.js';

/** A key revoked in the database stops working within API_KEY_REMEMBERED_MS; an unknown one is never remembered. */
describe('ApiKeyWorkspaces', () => {
  let repositories: Repositories;

  beforeAll(async () => {
    repositories = await openRepositories();
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
    const keys = new ApiKeyWorkspaces(repositories.workspaces);
    const { id, keyHash } = await workspaceWithKey();
    const seen = 1_000_000;
    expect(await keys.workspaceIdOf(keyHash, seen)).toBe(id);
    await revoke(keyHash);
    expect(await keys.workspaceIdOf(keyHash, seen + API_KEY_REMEMBERED_MS - 1)).toBe(id);
    expect(await keys.workspaceIdOf(keyHash, seen + API_KEY_REMEMBERED_MS)).toBeNull();
    expect(await keys.workspaceIdOf(keyHash, seen + API_KEY_REMEMBERED_MS + 1)).toBeNull();
  });

  it('looks an unknown key up every time, so a key created meanwhile works at once', async () => {
    const keys = new ApiKeyWorkspaces(repositories.workspaces);
    const keyHash = randomBytes(32).toString('hex');
    expect(await keys.workspaceIdOf(keyHash, 0)).toBeNull();
    const workspace = await repositories.workspaces.createWithApiKey('Late', keyHash);
    expect(await keys.workspaceIdOf(keyHash, 1)).toBe(workspace.id);
  });
});
