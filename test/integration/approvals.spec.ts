import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiClient } from '../support/api-client.js';
import { eventually, newAccount } from '../support/factories.js';
import {
  pastMoment,
  secondsFromNow,
  startPipeline,
  targetsOf,
  waitUntilSettled,
  type Pipeline,
} from '../support/pipeline.js';
import { clientWithRole, forceJob, historyOfSubject, jobStates, signedInMember } from '../support/workspace-keys.js';

/** Approvals (issue 11): editors' posts wait for an admin where the workspace requires it. */
describe('approvals', () => {
  let pipeline: Pipeline;
  let admin: ApiClient;
  let editor: ApiClient;
  let viewer: ApiClient;
  let accountId: string;

  beforeAll(async () => {
    pipeline = await startPipeline();
    admin = pipeline.workspace.api;
    editor = await clientWithRole(pipeline, 'editor', 'CMS');
    viewer = await clientWithRole(pipeline, 'viewer', 'Dashboard');
    accountId = (await newAccount(pipeline.workspace)).id;
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  const tweetsWith = (text: string) => pipeline.emulator.tweets.filter((tweet) => tweet.text === text);

  async function editorPost(content: string, extra: Record<string, unknown> = {}): Promise<any> {
    const response = await editor.post('/v1/posts', { content, accountIds: [accountId], ...extra });
    expect(response.status).toBe(201);
    return response.body;
  }

  it('is a setting admins change, viewers read and editors may not change', async () => {
    expect(await viewer.get('/v1/workspace/settings')).toMatchObject({
      status: 200,
      body: { requiresApproval: false },
    });

    const refused = await editor.patch('/v1/workspace/settings', { requiresApproval: true });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/admin/);
    const malformed = await admin.patch('/v1/workspace/settings', { requiresApproval: 'yes' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([expect.objectContaining({ field: 'requiresApproval' })]);
    expect((await viewer.get('/v1/workspace/settings')).body).toEqual({ requiresApproval: false });

    const turnedOn = await admin.patch('/v1/workspace/settings', { requiresApproval: true });
    expect(turnedOn).toMatchObject({ status: 200, body: { requiresApproval: true } });
    expect(await historyOfSubject(pipeline, pipeline.workspace.id)).toMatchObject({
      events: ['workspace.settings_changed'],
      audit: [{ action: 'workspace.settings_changed', actor: 'Default key' }],
    });
  });

  describe('with approval required', () => {
    beforeAll(async () => {
      await admin.patch('/v1/workspace/settings', { requiresApproval: true });
    });

    it("saves an editor's post pending approval, with no job, and never publishes it", async () => {
      const post = await editorPost('Waiting for a yes', { publishAt: secondsFromNow(1).toISOString() });
      expect(post).toMatchObject({
        status: 'pending_approval',
        author: { type: 'api_key' },
        rejection: null,
        targets: [{ status: 'pending_approval' }],
      });
      const [target] = await targetsOf(pipeline, post.id);
      expect(await jobStates(pipeline, [target.id])).toEqual([null]);

      // A job for it anyway (stale, or added by hand) finds nothing to claim.
      await forceJob(pipeline, target.id);
      await eventually(async () => ((await jobStates(pipeline, [target.id]))[0] === 'completed' ? true : undefined), {
        what: 'the forced job to run',
      });
      await pastMoment(pipeline, secondsFromNow(1));
      expect((await editor.get(`/v1/posts/${post.id}`)).body.status).toBe('pending_approval');
      expect(await targetsOf(pipeline, post.id)).toMatchObject([{ status: 'pending_approval', attempts: 0 }]);
      expect(tweetsWith('Waiting for a yes')).toHaveLength(0);
      expect(await historyOfSubject(pipeline, post.id)).toEqual({
        events: ['post.created', 'post.submitted_for_approval'],
        audit: [
          { action: 'post.created', actor: 'CMS' },
          { action: 'post.submitted_for_approval', actor: 'CMS' },
        ],
      });
    });

    it('publishes the post once an admin approves it, as any scheduled post', async () => {
      const post = await editorPost('Approved and out');
      expect((await editor.post(`/v1/posts/${post.id}/approve`)).status).toBe(403);

      const approved = await admin.post(`/v1/posts/${post.id}/approve`);
      expect(approved.status).toBe(200);
      expect(['scheduled', 'queued', 'publishing', 'published']).toContain(approved.body.status);
      const [target] = await waitUntilSettled(pipeline, post.id);
      expect(target.status).toBe('published');
      expect(tweetsWith('Approved and out')).toHaveLength(1);
      expect((await historyOfSubject(pipeline, post.id)).audit).toContainEqual({
        action: 'post.approved',
        actor: 'Default key',
      });
      expect((await admin.post(`/v1/posts/${post.id}/approve`)).status).toBe(409);
    });

    it('marks a post approved after its maxLatenessSeconds missed instead of publishing it late', async () => {
      const post = await editorPost('Approved too late', {
        publishAt: new Date(Date.now() - 4 * 60_000).toISOString(),
        maxLatenessSeconds: 60,
      });
      expect((await admin.post(`/v1/posts/${post.id}/approve`)).status).toBe(200);
      const [target] = await waitUntilSettled(pipeline, post.id);
      expect(target.status).toBe('missed');
      expect(tweetsWith('Approved too late')).toHaveLength(0);
    });

    it('rejects a post with the reason shown on it; an edit by its editor sends it back for approval', async () => {
      const post = await editorPost('Off brand', { publishAt: secondsFromNow(3600).toISOString() });
      const noReason = await admin.post(`/v1/posts/${post.id}/reject`, {});
      expect(noReason.status).toBe(400);
      expect(new Set(noReason.body.details.map((problem: { field: string }) => problem.field))).toEqual(
        new Set(['reason']),
      );
      expect((await admin.get(`/v1/posts/${post.id}`)).body.status).toBe('pending_approval');
      expect((await editor.post(`/v1/posts/${post.id}/reject`, { reason: 'no' })).status).toBe(403);

      const rejected = await admin.post(`/v1/posts/${post.id}/reject`, { reason: 'Not our tone' });
      expect(rejected).toMatchObject({
        status: 200,
        body: {
          status: 'rejected',
          rejection: { reason: 'Not our tone', by: 'Default key' },
          targets: [{ status: 'rejected' }],
        },
      });
      expect((await viewer.get(`/v1/posts/${post.id}`)).body.rejection.reason).toBe('Not our tone');
      expect((await admin.post(`/v1/posts/${post.id}/reject`, { reason: 'again' })).status).toBe(409);

      const edited = await editor.patch(`/v1/posts/${post.id}`, { content: 'On brand now' });
      expect(edited).toMatchObject({
        status: 200,
        body: { status: 'pending_approval', rejection: null, targets: [{ status: 'pending_approval' }] },
      });
      expect((await historyOfSubject(pipeline, post.id)).events).toEqual([
        'post.created',
        'post.submitted_for_approval',
        'post.rejected',
        'post.updated',
        'post.submitted_for_approval',
      ]);
    });

    it('treats an editor signed in with a session as any editor, and records them as the author', async () => {
      const member = await signedInMember(pipeline, 'editor');
      const anonymous = pipeline.api;
      const created = await anonymous.request<any>(
        'POST',
        '/v1/posts',
        { content: 'From a person', accountIds: [accountId], publishAt: secondsFromNow(3600).toISOString() },
        member.headers,
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'pending_approval', author: { type: 'user', id: member.userId } });
      const approving = await anonymous.request<any>(
        'POST',
        `/v1/posts/${created.body.id}/approve`,
        undefined,
        member.headers,
      );
      expect(approving.status).toBe(403);
      expect((await historyOfSubject(pipeline, created.body.id)).audit).toEqual([
        { action: 'post.created', actor: member.email },
        { action: 'post.submitted_for_approval', actor: member.email },
      ]);

      const admin = await signedInMember(pipeline, 'admin');
      const own = await anonymous.request<any>(
        'POST',
        '/v1/posts',
        { content: 'From an admin', accountIds: [accountId], publishAt: secondsFromNow(3600).toISOString() },
        admin.headers,
      );
      expect(own.body).toMatchObject({ status: 'scheduled', author: { type: 'user', id: admin.userId } });
    });

    it("schedules an admin's post at once: admins' posts need no approval", async () => {
      const response = await admin.post('/v1/posts', {
        content: 'Straight out',
        accountIds: [accountId],
        publishAt: secondsFromNow(3600).toISOString(),
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'scheduled', author: { type: 'api_key' } });
      const [target] = await targetsOf(pipeline, response.body.id);
      expect(await jobStates(pipeline, [target.id])).toEqual(['delayed']);
    });

    it('sends an approved post back for approval when an editor edits it, removing its job', async () => {
      const post = await editorPost('Approved once', { publishAt: secondsFromNow(3600).toISOString() });
      await admin.post(`/v1/posts/${post.id}/approve`);
      const [target] = await targetsOf(pipeline, post.id);
      expect(target.status).toBe('scheduled');
      expect(await jobStates(pipeline, [target.id])).toEqual(['delayed']);

      // An admin's edit keeps it approved.
      const byAdmin = await admin.patch(`/v1/posts/${post.id}`, { publishAt: secondsFromNow(7200).toISOString() });
      expect(byAdmin.body.status).toBe('scheduled');

      const byEditor = await editor.patch(`/v1/posts/${post.id}`, { content: 'Approved once, then changed' });
      expect(byEditor.body).toMatchObject({ status: 'pending_approval', targets: [{ status: 'pending_approval' }] });
      expect(await jobStates(pipeline, [target.id])).toEqual([null]);
      expect((await historyOfSubject(pipeline, post.id)).events).toEqual([
        'post.created',
        'post.submitted_for_approval',
        'post.approved',
        'post.updated',
        'post.updated',
        'post.submitted_for_approval',
      ]);
    });

    it('keeps waiting posts waiting when approval is turned off; they can be cancelled', async () => {
      const post = await editorPost('Still waiting', { publishAt: secondsFromNow(3600).toISOString() });
      await admin.patch('/v1/workspace/settings', { requiresApproval: false });
      try {
        expect((await admin.get(`/v1/posts/${post.id}`)).body.status).toBe('pending_approval');
        const later = await editorPost('No approval needed now', { publishAt: secondsFromNow(3600).toISOString() });
        expect(later.status).toBe('scheduled');
        const cancelled = await editor.delete(`/v1/posts/${post.id}`);
        expect(cancelled.body).toMatchObject({ status: 'cancelled', targets: [{ status: 'cancelled' }] });
        expect((await historyOfSubject(pipeline, post.id)).audit.at(-1)).toEqual({
          action: 'post.cancelled',
          actor: 'CMS',
        });
      } finally {
        await admin.patch('/v1/workspace/settings', { requiresApproval: true });
      }
    });
  });
});
