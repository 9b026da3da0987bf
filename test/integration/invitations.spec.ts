import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { ApiClient } from '../support/api-client.js';
import { newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { startMailServer, type MailServer, type ReceivedMail } from '../support/mail-server.js';
import {
  HeaderClient,
  newMember,
  createUser,
  type PeopleBackend,
  sessionClient,
  startSession,
  startPeopleBackend,
  uniqueEmail,
  type TestMember,
} from '../support/people-backend.js';
import { testConfig, testEnvironment, TEST_ADMIN_TOKEN } from '../support/test-environment.js';

const tokenIn = (mail: ReceivedMail): string => {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no invitation link in: ${mail.text}`);
  return match[1];
};

/** Invitations and the first owner, over HTTP against real PostgreSQL, Redis and SMTP. */
describe('invitations', () => {
  let people: PeopleBackend;
  let backend: RunningBackend;
  let api: ApiClient;
  let sql: DataSource;
  let mail: MailServer;

  const mailTo = (email: string, after = 0) =>
    mail.waitFor((message) => message.to.includes(email) && mail.received.indexOf(message) >= after);
  const accept = (body: Record<string, unknown>, client: ApiClient = api) =>
    client.post('/v1/invitations/accept', body);
  const rowsOf = <Row>(query: string, parameters: unknown[] = []) => sql.query<Row[]>(query, parameters);
  const eventsOf = (workspaceId: string) => people.eventsOf(workspaceId);
  const auditOf = (workspaceId: string) => people.auditOf(workspaceId);
  const member = (workspace: TestWorkspace, role: 'owner' | 'admin' | 'editor' | 'viewer') =>
    newMember(backend, sql, workspace.id, role);

  beforeAll(async () => {
    people = await startPeopleBackend();
    ({ backend, api, sql, mail } = people);
  });

  afterAll(async () => {
    await people?.close();
  });

  describe('the first owner', () => {
    it('is invited by the operator creating the workspace, and joins by the mailed link', async () => {
      const email = uniqueEmail('founder');
      const created = await api
        .as(TEST_ADMIN_TOKEN)
        .post('/v1/workspaces', { name: 'Acme', ownerEmail: email.toUpperCase(), ownerName: 'Ada' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Acme',
        apiKey: expect.stringMatching(/^hk_/),
        ownerInvitation: { email, name: 'Ada', role: 'owner', invitedBy: 'operator', expired: false },
      });

      const invitation = await mailTo(email);
      expect(invitation.subject).toBe('You are invited to Acme on Herald');
      expect(invitation.text).toContain('Hello Ada,');
      expect(invitation.text).toContain('You are invited to the workspace "Acme" on Herald, as owner.');
      expect(invitation.text).toContain('http://localhost:3000/accept-invitation#token=');

      const tooShort = await accept({ token: tokenIn(invitation), password: 'short' });
      expect(tooShort.status).toBe(400);
      expect(tooShort.body.details).toEqual([{ field: 'password', message: 'must have at least 10 characters' }]);

      const joined = await accept({ token: tokenIn(invitation), password: 'correct horse battery' });
      expect(joined.status).toBe(200);
      expect(joined.body).toEqual({
        workspace: { id: created.body.id, name: 'Acme' },
        role: 'owner',
        user: { id: expect.any(String), email, name: 'Ada' },
        csrfToken: expect.any(String),
      });
      const cookie = joined.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^herald_session=[^;]+;.*HttpOnly/i);
      const session = { token: /herald_session=([^;]+)/.exec(cookie)![1], csrfToken: joined.body.csrfToken };

      const owner = sessionClient(backend.url, session, created.body.id);
      const workspace = await owner.get('/v1/workspace');
      expect(workspace.body).toEqual({
        id: created.body.id,
        name: 'Acme',
        role: 'owner',
        createdAt: expect.any(String),
      });
      expect((await owner.patch('/v1/workspace', { name: 'Acme Inc' })).status).toBe(200);

      expect((await accept({ token: tokenIn(invitation), password: 'correct horse battery' })).body).toMatchObject({
        statusCode: 410,
        message: 'This invitation was already accepted',
      });
      expect((await eventsOf(created.body.id)).map((event) => event.type)).toEqual([
        'member.invited',
        'member.joined',
        'workspace.settings_changed',
      ]);
      expect((await auditOf(created.body.id)).map(({ action, actor_type }) => [action, actor_type])).toEqual([
        ['workspace.created', 'operator'],
        ['member.invited', 'operator'],
        ['member.joined', 'user'],
        ['workspace.renamed', 'user'],
      ]);
    });

    it('refuses a bad owner email naming the field, creating nothing', async () => {
      const before = await rowsOf<{ n: string }>(`SELECT count(*) AS n FROM workspaces`);
      const response = await api.as(TEST_ADMIN_TOKEN).post('/v1/workspaces', { name: 'Bad', ownerEmail: 'nope' });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'ownerEmail', message: 'ownerEmail must be an email address' }]);
      expect(await rowsOf(`SELECT count(*) AS n FROM workspaces`)).toEqual(before);
    });
  });

  it('saves no workspace and no invitation when the mail server refuses the mail (503)', async () => {
    const closed = await startMailServer();
    await closed.close();
    const unmailed = await startBackend(
      testConfig(
        testEnvironment(
          { databaseUrl: people.database.url, queuePrefix: people.redis.prefix },
          { SMTP_URL: closed.url },
        ),
      ),
    );
    try {
      const operator = new ApiClient(unmailed.url).as(TEST_ADMIN_TOKEN);
      const email = uniqueEmail('unmailed');
      const refused = await operator.post('/v1/workspaces', { name: 'Unmailed', ownerEmail: email });
      expect(refused.status).toBe(503);
      expect(refused.body.message).toBe(
        'The mail server did not take the invitation, so it was not saved; please retry shortly',
      );
      expect(await rowsOf(`SELECT id FROM workspaces WHERE name = 'Unmailed'`)).toEqual([]);

      const workspace = await newWorkspace(new ApiClient(unmailed.url), 'Unmailed');
      expect((await workspace.api.post('/v1/invitations', { email, role: 'viewer' })).status).toBe(503);
      expect(await rowsOf(`SELECT id FROM invitations WHERE email = $1`, [email])).toEqual([]);
      expect(await eventsOf(workspace.id)).toEqual([]);
    } finally {
      await unmailed.close();
    }
  });

  describe('invitations', () => {
    let acme: TestWorkspace;
    let owner: TestMember;
    let admin: TestMember;

    beforeAll(async () => {
      acme = await newWorkspace(api, 'Invitations');
      owner = await member(acme, 'owner');
      admin = await member(acme, 'admin');
    });

    it('invites by mail; re-inviting replaces the pending invitation and its link', async () => {
      const email = uniqueEmail('writer');
      const first = await admin.api.post('/v1/invitations', { email, role: 'viewer' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ email, role: 'viewer', invitedBy: admin.user.email });
      expect(JSON.stringify(first.body)).not.toMatch(/token/i);
      const firstMail = await mailTo(email);
      expect(firstMail.text).toContain(
        `${admin.user.email} invited you to the workspace "Invitations" on Herald, as viewer.`,
      );

      const count = mail.received.length;
      const second = await admin.api.post('/v1/invitations', { email, role: 'editor', name: 'Wes' });
      expect(second.body).toMatchObject({ id: first.body.id, role: 'editor' });
      const secondMail = await mailTo(email, count);
      expect((await admin.api.get('/v1/invitations')).body.items).toEqual([
        expect.objectContaining({ id: first.body.id, email, role: 'editor', name: 'Wes' }),
      ]);

      expect((await accept({ token: tokenIn(firstMail), password: 'a long password' })).status).toBe(410);
      const joined = await accept({ token: tokenIn(secondMail), password: 'a long password' });
      expect(joined.body).toMatchObject({ role: 'editor', user: { email, name: 'Wes' } });
      expect((await admin.api.get('/v1/invitations')).body.items).toEqual([]);
      const members = (await admin.api.get('/v1/members')).body.items;
      expect(members).toContainEqual(expect.objectContaining({ email, name: 'Wes', role: 'editor' }));
    });

    it('refuses inviting a member (409), and an owner unless the inviter is one (403)', async () => {
      const again = await admin.api.post('/v1/invitations', { email: owner.user.email, role: 'viewer' });
      expect(again.status).toBe(409);
      expect(again.body.message).toBe(`${owner.user.email} is already a member of this workspace`);

      const asOwner = await admin.api.post('/v1/invitations', { email: uniqueEmail(), role: 'owner' });
      expect(asOwner.status).toBe(403);
      expect(asOwner.body.message).toBe('Inviting an owner needs the owner role (or higher) in the workspace');
      expect((await acme.api.post('/v1/invitations', { email: uniqueEmail(), role: 'owner' })).status).toBe(403);
      expect((await owner.api.post('/v1/invitations', { email: uniqueEmail(), role: 'owner' })).status).toBe(201);
    });

    it('refuses bad input naming the fields, writing nothing', async () => {
      const before = await rowsOf(`SELECT count(*) AS n FROM invitations`);
      const response = await admin.api.post('/v1/invitations', { email: 'x', role: 'king' });
      expect(response.status).toBe(400);
      expect(response.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
        'email',
        'role',
      ]);
      expect(await rowsOf(`SELECT count(*) AS n FROM invitations`)).toEqual(before);
    });

    it('answers 410 for a revoked or expired link, and for a token that never existed', async () => {
      const [revokedEmail, expiredEmail] = [uniqueEmail(), uniqueEmail()];
      const revoked = await admin.api.post('/v1/invitations', { email: revokedEmail, role: 'viewer' });
      await admin.api.post('/v1/invitations', { email: expiredEmail, role: 'viewer' });
      const [revokedMail, expiredMail] = [await mailTo(revokedEmail), await mailTo(expiredEmail)];

      expect((await admin.api.delete(`/v1/invitations/${revoked.body.id}`)).status).toBe(204);
      expect((await admin.api.delete(`/v1/invitations/${revoked.body.id}`)).status).toBe(404);
      await sql.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = $1`, [
        expiredEmail,
      ]);
      expect((await admin.api.get('/v1/invitations')).body.items).toContainEqual(
        expect.objectContaining({ email: expiredEmail, expired: true }),
      );

      const password = 'a long password';
      expect((await accept({ token: tokenIn(revokedMail), password })).body).toMatchObject({
        statusCode: 410,
        message: 'This invitation was revoked',
      });
      expect((await accept({ token: tokenIn(expiredMail), password })).body).toMatchObject({
        statusCode: 410,
        message: 'This invitation has expired: ask for a new one',
      });
      expect((await accept({ token: 'never-issued', password })).status).toBe(410);
      expect(await rowsOf(`SELECT id FROM users WHERE email = ANY($1)`, [[revokedEmail, expiredEmail]])).toEqual([]);
    });

    it('lets an existing user join with their password, or signed in as the invited email', async () => {
      const password = 'their own password';
      const [withPassword, signedIn] = [
        await createUser(backend.app, { email: uniqueEmail('known'), password }),
        await createUser(backend.app, { email: uniqueEmail('known') }),
      ];
      await admin.api.post('/v1/invitations', { email: withPassword.email, role: 'viewer' });
      await admin.api.post('/v1/invitations', { email: signedIn.email, role: 'admin' });
      const [passwordToken, sessionToken] = [
        tokenIn(await mailTo(withPassword.email)),
        tokenIn(await mailTo(signedIn.email)),
      ];

      expect((await accept({ token: passwordToken })).status).toBe(401);
      expect((await accept({ token: passwordToken, password: 'not their password' })).status).toBe(401);
      const joined = await accept({ token: passwordToken, password });
      expect(joined.body).toMatchObject({ role: 'viewer', user: { id: withPassword.id } });
      expect(joined.headers.get('set-cookie')).toMatch(/^herald_session=/);

      // Signed in as someone else: refused. Signed in as the invited email: joins, keeping the session.
      const otherSession = sessionClient(backend.url, await startSession(backend.app, withPassword.id));
      const wrongPerson = await accept({ token: sessionToken }, otherSession);
      expect(wrongPerson.status).toBe(403);
      expect(wrongPerson.body.message).toBe(
        `This invitation is for ${signedIn.email}; you are signed in as ${withPassword.email}`,
      );
      const session = await startSession(backend.app, signedIn.id);
      const withoutCsrf = new HeaderClient(backend.url, { cookie: `herald_session=${session.token}` });
      expect((await accept({ token: sessionToken }, withoutCsrf)).status).toBe(403);
      const crossSite = await sessionClient(backend.url, session).post(
        '/v1/invitations/accept',
        { token: sessionToken },
        { origin: 'https://evil.example' },
      );
      expect(crossSite.body).toMatchObject({
        statusCode: 403,
        message: 'Requests with a session must come from http://localhost:3000',
      });
      const viaSession = await accept({ token: sessionToken }, sessionClient(backend.url, session));
      expect(viaSession.status).toBe(200);
      expect(viaSession.body).toEqual({
        workspace: { id: acme.id, name: 'Invitations' },
        role: 'admin',
        user: { id: signedIn.id, email: signedIn.email, name: 'Test Person' },
      });
      expect(viaSession.headers.get('set-cookie')).toBeNull();
      expect((await sessionClient(backend.url, session, acme.id).get('/v1/workspace')).body.role).toBe('admin');
    });
  });
});
