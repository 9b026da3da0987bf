import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_COMMENT_LENGTH } from '@app/shared';
import type { ApiClient } from '../support/api-client.js';
import { newAccount, newPost, newWorkspace } from '../support/factories.js';
import { startPipeline, type Pipeline } from '../support/pipeline.js';
import { clientWithRole, historyOfSubject } from '../support/workspace-keys.js';

/** Internal comments on a post (issue 11): the team's discussion, never published. */
describe('comments', () => {
  let pipeline: Pipeline;
  let editor: ApiClient;
  let viewer: ApiClient;
  let postId: string;

  beforeAll(async () => {
    pipeline = await startPipeline({ worker: false, scheduler: false });
    editor = await clientWithRole(pipeline, 'editor', 'Writer key');
    viewer = await clientWithRole(pipeline, 'viewer', 'Dashboard');
    const account = await newAccount(pipeline.workspace);
    postId = (
      await newPost(pipeline.workspace, { accountIds: [account.id], publishAt: new Date(Date.now() + 3_600_000) })
    ).id;
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('keeps who wrote each comment, when, and what, oldest first', async () => {
    expect(await viewer.get(`/v1/posts/${postId}/comments`)).toMatchObject({ status: 200, body: { items: [] } });

    const first = await editor.post(`/v1/posts/${postId}/comments`, { text: 'Can we add a link?' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      postId,
      author: { type: 'api_key', label: 'Writer key' },
      text: 'Can we add a link?',
    });
    const second = await pipeline.workspace.api.post(`/v1/posts/${postId}/comments`, { text: 'Done.' });
    expect(second.status).toBe(201);

    const listed = await viewer.get(`/v1/posts/${postId}/comments`);
    expect(listed.body.items.map((comment: { text: string }) => comment.text)).toEqual(['Can we add a link?', 'Done.']);
    expect(listed.body.items[0]).toEqual(first.body);
    expect(new Date(listed.body.items[0].createdAt).getTime()).toBeLessThanOrEqual(
      new Date(listed.body.items[1].createdAt).getTime(),
    );
    const history = await historyOfSubject(pipeline, postId);
    expect(history.events.filter((type) => type === 'post.comment_added')).toHaveLength(2);
    expect(history.audit.filter((line) => line.action === 'post.comment_added')).toEqual([
      { action: 'post.comment_added', actor: 'Writer key' },
      { action: 'post.comment_added', actor: 'Default key' },
    ]);
  });

  it('refuses viewers, empty and overlong comments, writing nothing', async () => {
    const count = async () => (await viewer.get(`/v1/posts/${postId}/comments`)).body.items.length;
    const before = await count();

    const byViewer = await viewer.post(`/v1/posts/${postId}/comments`, { text: 'Me too' });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.message).toMatch(/editor/);
    for (const text of ['', 'x'.repeat(MAX_COMMENT_LENGTH + 1), 42]) {
      const refused = await editor.post(`/v1/posts/${postId}/comments`, { text });
      expect(refused.status).toBe(400);
      expect(refused.body.details.map((problem: { field: string }) => problem.field)).toContain('text');
    }
    expect((await editor.post(`/v1/posts/${postId}/comments`, { text: 'x'.repeat(MAX_COMMENT_LENGTH) })).status).toBe(
      201,
    );
    expect(await count()).toBe(before + 1);
  });

  it("answers 404 for a post that does not exist or is another workspace's", async () => {
    const other = await newWorkspace(pipeline.api, 'Globex');
    const account = await newAccount(other);
    const theirs = await newPost(other, { accountIds: [account.id], publishAt: new Date(Date.now() + 3_600_000) });
    for (const id of [theirs.id, '7d1a3c2e-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect((await editor.get(`/v1/posts/${id}/comments`)).status).toBe(404);
      expect((await editor.post(`/v1/posts/${id}/comments`, { text: 'Hello?' })).status).toBe(404);
    }
    expect((await other.api.get(`/v1/posts/${theirs.id}/comments`)).body.items).toEqual([]);
  });
});
