import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ApiClient } from './api-client.js';
import { TEST_ADMIN_TOKEN } from './test-environment.js';

export interface TestWorkspace {
  id: string;
  apiKey: string;
  api: ApiClient;
}

export async function newWorkspace(api: ApiClient, name = 'Acme'): Promise<TestWorkspace> {
  const response = await api.as(TEST_ADMIN_TOKEN).post('/v1/workspaces', { name });
  if (response.status !== 201) throw new Error(`newWorkspace: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id, apiKey: response.body.apiKey, api: api.as(response.body.apiKey) };
}

export async function newAccount(
  workspace: TestWorkspace,
  accessToken = `token-${randomBytes(6).toString('hex')}`,
): Promise<{ id: string; accessToken: string }> {
  const response = await workspace.api.post('/v1/accounts', {
    platform: 'x',
    name: `@herald_${accessToken.slice(-6)}`,
    credentials: { accessToken },
  });
  if (response.status !== 201) throw new Error(`newAccount: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id, accessToken };
}

export async function newPost(
  workspace: TestWorkspace,
  post: { content?: string; publishAt?: Date | string; maxLatenessSeconds?: number; accountIds: string[] },
): Promise<any> {
  const response = await workspace.api.post('/v1/posts', {
    content: post.content ?? `Hello from Herald ${randomBytes(4).toString('hex')}`,
    accountIds: post.accountIds,
    ...(post.maxLatenessSeconds ? { maxLatenessSeconds: post.maxLatenessSeconds } : {}),
    ...(post.publishAt
      ? { publishAt: post.publishAt instanceof Date ? post.publishAt.toISOString() : post.publishAt }
      : {}),
  });
  if (response.status !== 201) throw new Error(`newPost: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${describeError(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? String(error) : inspect(error);
}
