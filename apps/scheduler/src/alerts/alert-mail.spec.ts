import { describe, expect, it } from '@jest/globals';
import type { AlertMail, ReauthAlert, TargetAlert } from './alert.js';
import { excerpt, renderAlertMail, summarize } from './alert-mail.js';

const BASE = 'https://herald.example';

const target = (kind: TargetAlert['kind'], postId: string): TargetAlert => ({
  kind,
  workspaceId: 'w1',
  targetId: `t-${postId}`,
  postId,
  content: `Post ${postId}`,
  dueAt: new Date('2030-01-31T09:00:00Z'),
  accountName: '@acme',
  platformName: 'X',
  words: 'You are not allowed to create a Tweet with duplicate content.',
  authorUserId: null,
});

const reauth = (overrides: Partial<ReauthAlert> = {}): ReauthAlert => ({
  kind: 'needsReauth',
  workspaceId: 'w1',
  accountId: 'a1',
  accountName: '@acme',
  platform: 'x',
  platformName: 'X',
  words: 'invalid_grant: token revoked',
  reconnect: 'oauth',
  postsAtRisk: [{ postId: 'p9', content: 'Launch day', dueAt: new Date('2030-02-01T10:30:00Z') }],
  totalAtRisk: 3,
  ...overrides,
});

const mail = (alerts: AlertMail['alerts']): AlertMail => ({
  recipient: { userId: 'u1', email: 'ann@example.com', name: 'Ann' },
  workspaceNames: new Map([['w1', 'Acme']]),
  alerts,
});

describe('summarize', () => {
  it.each<[string, AlertMail['alerts'], string]>([
    ['one failure', [target('failed', 'p1')], '1 post failed'],
    [
      'a burst',
      [target('failed', 'p1'), target('failed', 'p2'), target('failed', 'p3'), reauth()],
      '3 posts failed, 1 account needs reconnecting',
    ],
    ['a post failing on two accounts counts once', [target('failed', 'p1'), target('failed', 'p1')], '1 post failed'],
    [
      'every kind, in a fixed order',
      [reauth(), target('missed', 'p1'), target('unknown', 'p2'), target('unknown', 'p3'), target('failed', 'p4')],
      '1 post failed, 2 posts may not have gone out, 1 post missed its time, 1 account needs reconnecting',
    ],
  ])('%s', (_, alerts, expected) => {
    expect(summarize(alerts)).toBe(expected);
  });
});

describe('renderAlertMail', () => {
  it('names the post, its time, the account and platform, the platform’s words and the retry', () => {
    const message = renderAlertMail(mail([target('failed', 'p1')]), BASE);
    expect(message).toEqual({ to: 'ann@example.com', subject: 'Herald: 1 post failed', text: expect.any(String) });
    expect(message.text).toContain('Hello Ann,');
    expect(message.text).toContain('Workspace "Acme" (w1)');
    expect(message.text).toContain('Post failed on X (@acme)');
    expect(message.text).toContain('p1 "Post p1"');
    expect(message.text).toContain('2030-01-31 09:00 UTC');
    expect(message.text).toContain('X said: "You are not allowed to create a Tweet with duplicate content."');
    expect(message.text).toContain(`POST ${BASE}/v1/posts/p1/retry`);
    expect(message.text).toContain(`${BASE}/v1/me/alerts`);
  });

  it('asks to check the platform before retrying a post whose outcome is unknown', () => {
    expect(renderAlertMail(mail([target('unknown', 'p1')]), BASE).text).toMatch(
      /Check @acme on X; if the post is not there, retry it: POST \S+\/v1\/posts\/p1\/retry/,
    );
  });

  it('lists the posts an account to reconnect puts at risk, and how to reconnect it', () => {
    const { subject, text } = renderAlertMail(mail([reauth()]), BASE);
    expect(subject).toBe('Herald: 1 account needs reconnecting');
    expect(text).toContain('Account needs reconnecting: X (@acme)');
    expect(text).toContain('X said: "invalid_grant: token revoked"');
    expect(text).toContain('3 scheduled posts fail unless it is reconnected before their time:');
    expect(text).toContain('- 2030-02-01 10:30 UTC  p9 "Launch day"');
    expect(text).toContain('- and 2 more');
    expect(text).toContain(`GET ${BASE}/v1/connect/x`);
  });

  it('sends accounts that have no OAuth app back to POST /v1/accounts, and says when nothing is at risk', () => {
    const { text } = renderAlertMail(
      mail([reauth({ reconnect: 'credentials', postsAtRisk: [], totalAtRisk: 0 })]),
      BASE,
    );
    expect(text).toContain(`add it again with fresh credentials: POST ${BASE}/v1/accounts`);
    expect(text).toContain('At risk:    no scheduled post for now');
  });
});

describe('excerpt', () => {
  it('keeps a short text, flattened', () => {
    expect(excerpt('Hello\n\n  world')).toBe('Hello world');
  });

  it('cuts a long text at 80 characters', () => {
    const cut = excerpt('a'.repeat(200));
    expect(cut).toHaveLength(80);
    expect(cut.endsWith('…')).toBe(true);
  });
});
