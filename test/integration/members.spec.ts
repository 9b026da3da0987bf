import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { ApiClient } from '../support/api-client.js';
import { newWorkspace, type TestWorkspace } from '../support/factories.js';
import type { RunningBackend } from '../support/herald-apps.js';
import { newMember, type PeopleBackend, startPeopleBackend } from '../support/people-backend.js';

/** Members and roles, the workspace itself and its API keys, over HTTP against real PostgreSQL and Redis. */
describe('members, the workspace and API keys', () => {
  let people: PeopleBackend;
  let backend: RunningBackend;
  let api: ApiClient;
  let sql: DataSource;

  const rowsOf = <Row>(query: string, parameters: unknown[] = []) => sql.query<Row[]>(query, parameters);
  const eventsOf = (workspaceId: string) => people.eventsOf(workspaceId);
  const auditOf = (workspaceId: string) => people.auditOf(workspaceId);
  const member = (workspace: TestWorkspace, role: 'owner' | 'admin' | 'editor' | 'viewer') =>
    newMember(backend, sql, workspace.id, role);

  beforeAll(async () => {
    people = await startPeopleBackend();
    ({ backend, api, sql } = people);
  });

  afterAll(async () => {
    await people?.close();
  });

  describe('members and roles', () => {
    let acme: TestWorkspace;

    beforeAll(async () => {
      acme = await newWorkspace(api, 'Members');
    });

    it('lists members to viewers, with their role', async () => {
      const viewer = await member(acme, 'viewer');
      const response = await viewer.api.get('/v1/members');
      expect(response.status).toBe(200);
      expect(response.body.items).toContainEqual({
        userId: viewer.user.id,
        email: viewer.user.email,
        name: 'Test Person',
        role: 'viewer',
        joinedAt: expect.any(String),
      });
    });

    it('lets admins change roles, but only owners grant or take away owner', async () => {
      const [owner, admin, editor] = [
        await member(acme, 'owner'),
        await member(acme, 'admin'),
        await member(acme, 'editor'),
      ];
      const promoted = await admin.api.patch(`/v1/members/${editor.user.id}`, { role: 'admin' });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ userId: editor.user.id, role: 'admin' });

      const toOwner = await admin.api.patch(`/v1/members/${editor.user.id}`, { role: 'owner' });
      expect(toOwner.status).toBe(403);
      expect(toOwner.body.message).toBe(
        'Granting or taking away the owner role needs the owner role (or higher) in the workspace',
      );
      expect((await admin.api.patch(`/v1/members/${owner.user.id}`, { role: 'viewer' })).status).toBe(403);
      expect((await acme.api.patch(`/v1/members/${editor.user.id}`, { role: 'owner' })).status).toBe(403);
      expect((await owner.api.patch(`/v1/members/${editor.user.id}`, { role: 'owner' })).status).toBe(200);

      const bad = await admin.api.patch(`/v1/members/${editor.user.id}`, { role: 'god' });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([
        { field: 'role', message: 'role must be one of: viewer, editor, admin, owner' },
      ]);
      expect(
        (await admin.api.patch(`/v1/members/00000000-0000-4000-8000-000000000000`, { role: 'viewer' })).status,
      ).toBe(404);

      const changes = (await eventsOf(acme.id)).filter((event) => event.type === 'member.role_changed');
      expect(changes.map((event) => event.data)).toEqual([
        { userId: editor.user.id, email: editor.user.email, from: 'editor', to: 'admin' },
        { userId: editor.user.id, email: editor.user.email, from: 'admin', to: 'owner' },
      ]);
    });

    it('never loses its last owner (409), even when two owners demote each other at once', async () => {
      const workspace = await newWorkspace(api, 'Owners');
      const [first, second] = [
        await newMember(backend, sql, workspace.id, 'owner'),
        await newMember(backend, sql, workspace.id, 'owner'),
      ];
      const answers = await Promise.all([
        first.api.patch(`/v1/members/${second.user.id}`, { role: 'admin' }),
        second.api.patch(`/v1/members/${first.user.id}`, { role: 'admin' }),
      ]);
      // The one demoted first is no owner any more when its own request goes on, even if the AccessGuard
      // read its role before: its role is read again under the owners' lock.
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403]);
      const owners = await rowsOf(`SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner'`, [
        workspace.id,
      ]);
      expect(owners).toHaveLength(1);

      const last = owners[0] as { user_id: string };
      const lastOwner = [first, second].find((candidate) => candidate.user.id === last.user_id)!;
      const demote = await lastOwner.api.patch(`/v1/members/${last.user_id}`, { role: 'admin' });
      expect(demote.status).toBe(409);
      expect(demote.body.message).toBe('This is the last owner: make another member owner first');
      const leave = await lastOwner.api.delete(`/v1/members/${last.user_id}`);
      expect(leave.status).toBe(409);
    });

    it('lets admins remove members, and anyone leave', async () => {
      const [admin, editor, viewer] = [
        await member(acme, 'admin'),
        await member(acme, 'editor'),
        await member(acme, 'viewer'),
      ];
      const refused = await editor.api.delete(`/v1/members/${viewer.user.id}`);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe('Removing another member needs the admin role (or higher) in the workspace');

      expect((await viewer.api.delete(`/v1/members/${viewer.user.id}`)).status).toBe(204);
      expect((await viewer.api.get('/v1/members')).status).toBe(403);
      expect((await admin.api.delete(`/v1/members/${editor.user.id}`)).status).toBe(204);
      expect((await editor.api.get('/v1/workspace')).body.message).toBe('You are not a member of this workspace');

      const removals = (await eventsOf(acme.id)).filter((event) => event.type === 'member.removed');
      expect(removals.slice(-2).map((event) => event.data)).toEqual([
        { userId: viewer.user.id, email: viewer.user.email, role: 'viewer', left: true },
        { userId: editor.user.id, email: editor.user.email, role: 'editor', left: false },
      ]);
    });
  });

  describe('the workspace', () => {
    it('is handed over by its owner: the other member becomes owner, the caller admin', async () => {
      const workspace = await newWorkspace(api, 'Handover');
      const [owner, admin] = [
        await newMember(backend, sql, workspace.id, 'owner'),
        await newMember(backend, sql, workspace.id, 'admin'),
      ];
      expect((await admin.api.post('/v1/workspace/transfer', { userId: owner.user.id })).status).toBe(403);
      const self = await owner.api.post('/v1/workspace/transfer', { userId: owner.user.id });
      expect(self.status).toBe(400);
      expect(self.body.details[0].field).toBe('userId');

      const handed = await owner.api.post('/v1/workspace/transfer', { userId: admin.user.id });
      expect(handed.status).toBe(200);
      expect(handed.body).toMatchObject({ userId: admin.user.id, role: 'owner' });
      expect((await owner.api.get('/v1/workspace')).body.role).toBe('admin');
      expect((await admin.api.get('/v1/workspace')).body.role).toBe('owner');
      expect((await auditOf(workspace.id)).map((line) => line.action)).toEqual([
        'workspace.created',
        'member.role_changed',
        'member.role_changed',
        'workspace.ownership_transferred',
      ]);
    });

    it('is deleted by an owner who types its name, with everything in it', async () => {
      const workspace = await newWorkspace(api, 'Doomed');
      const owner = await newMember(backend, sql, workspace.id, 'owner');
      await workspace.api.post('/v1/api-keys', { name: 'CMS', role: 'editor' });
      const refused = await workspace.api.request<any>('DELETE', '/v1/workspace', { confirmName: 'Doomed' });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/needs the owner role .*this API key has admin/);
      const missing = await owner.api.request<any>('DELETE', '/v1/workspace', {});
      expect(missing.status).toBe(400);
      expect(missing.body.details[0].field).toBe('confirmName');
      const wrong = await owner.api.request<any>('DELETE', '/v1/workspace', { confirmName: 'doomed' });
      expect(wrong.body.details).toEqual([
        { field: 'confirmName', message: `must be the workspace's name, "Doomed", to delete it` },
      ]);

      expect((await owner.api.request<any>('DELETE', '/v1/workspace', { confirmName: 'Doomed' })).status).toBe(204);
      expect((await workspace.api.get('/v1/accounts')).status).toBe(401);
      for (const table of ['workspaces', 'api_keys', 'memberships', 'events', 'audit_log']) {
        const column = table === 'workspaces' ? 'id' : 'workspace_id';
        expect(await rowsOf(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [workspace.id])).toEqual([]);
      }
    });
  });

  describe('API keys', () => {
    it('are made with a role up to the maker, shown once, listed with prefix and last use, and revoked', async () => {
      const workspace = await newWorkspace(api, 'Keys');
      const admin = await newMember(backend, sql, workspace.id, 'admin');
      const created = await admin.api.post('/v1/api-keys', { name: 'Dashboard', role: 'viewer' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'Dashboard',
        role: 'viewer',
        prefix: created.body.key.slice(0, 11),
        key: expect.stringMatching(/^hk_/),
        lastUsedAt: null,
        createdAt: expect.any(String),
        createdBy: { userId: admin.user.id, email: admin.user.email },
        revokedAt: null,
      });
      const dashboard = api.as(created.body.key);
      expect((await dashboard.get('/v1/accounts')).status).toBe(200);
      const refused = await dashboard.post('/v1/accounts', { platform: 'x', credentials: {} });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(
        'This needs the admin role (or higher) in the workspace; this API key has viewer',
      );
      expect((await dashboard.get('/v1/api-keys')).status).toBe(403);

      const owner = await newMember(backend, sql, workspace.id, 'owner');
      const ownerKey = await owner.api.post('/v1/api-keys', { name: 'Root', role: 'owner' });
      expect(ownerKey.status).toBe(400);
      expect(ownerKey.body.details).toEqual([{ field: 'role', message: 'role must be one of: viewer, editor, admin' }]);

      const listed = (await workspace.api.get('/v1/api-keys')).body.items;
      expect(listed.map((key: { name: string; role: string }) => [key.name, key.role])).toEqual([
        ['Dashboard', 'viewer'],
        ['Default key', 'admin'],
      ]);
      expect(listed[0].lastUsedAt).not.toBeNull();
      expect(listed[1]).toMatchObject({ prefix: '', createdBy: null, lastUsedAt: expect.any(String) });
      expect(JSON.stringify(listed)).not.toContain(created.body.key);

      expect((await workspace.api.delete(`/v1/api-keys/${created.body.id}`)).status).toBe(204);
      const afterRevoke = await dashboard.get('/v1/accounts');
      expect(afterRevoke.status).toBe(401);
      expect((await workspace.api.delete(`/v1/api-keys/${created.body.id}`)).status).toBe(204);
      expect((await workspace.api.get('/v1/api-keys')).body.items[0].revokedAt).not.toBeNull();

      expect((await eventsOf(workspace.id)).map((event) => [event.type, event.data.name])).toEqual([
        ['api_key.created', 'Dashboard'],
        ['api_key.revoked', 'Dashboard'],
      ]);
      expect((await auditOf(workspace.id)).map((line) => [line.action, line.actor_label])).toEqual([
        ['workspace.created', 'operator'],
        ['api_key.created', admin.user.email],
        ['api_key.revoked', 'Default key'],
      ]);
    });
  });
});
