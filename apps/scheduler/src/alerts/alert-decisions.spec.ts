import { describe, expect, it } from '@jest/globals';
import { ALL_ALERTS_ON, type AlertMember, type Role } from '@app/shared';
import type { Alert, ReauthAlert, TargetAlert } from './alert.js';
import { groupByRecipient, isRecipient, whenToSend } from './alert-decisions.js';

const member = (userId: string, role: Role, overrides: Partial<AlertMember> = {}): AlertMember => ({
  workspaceId: 'w1',
  workspaceName: 'Acme',
  userId,
  role,
  email: `${userId}@example.com`,
  name: userId,
  preferences: { ...ALL_ALERTS_ON },
  ...overrides,
});

const failed = (overrides: Partial<TargetAlert> = {}): TargetAlert => ({
  kind: 'failed',
  workspaceId: 'w1',
  targetId: 't1',
  postId: 'p1',
  content: 'Hello',
  dueAt: new Date('2030-01-01T09:00:00Z'),
  accountName: '@acme',
  platformName: 'X',
  words: 'duplicate content',
  authorUserId: 'author',
  ...overrides,
});

const reauth = (overrides: Partial<ReauthAlert> = {}): ReauthAlert => ({
  kind: 'needsReauth',
  workspaceId: 'w1',
  accountId: 'a1',
  accountName: '@acme',
  platform: 'x',
  platformName: 'X',
  words: 'token revoked',
  reconnect: 'oauth',
  postsAtRisk: [],
  totalAtRisk: 0,
  ...overrides,
});

describe('isRecipient', () => {
  it.each<[string, Alert, AlertMember, boolean]>([
    ['an owner hears of a failure', failed(), member('o', 'owner'), true],
    ['an admin hears of a failure', failed(), member('a', 'admin'), true],
    ['an editor who wrote the post hears of it', failed(), member('author', 'editor'), true],
    ['a viewer who wrote the post (demoted since) hears of it', failed(), member('author', 'viewer'), true],
    ['an editor who did not write it does not', failed(), member('e', 'editor'), false],
    ['a viewer who did not write it does not', failed(), member('v', 'viewer'), false],
    [
      'a post written with an API key goes to admins only',
      failed({ authorUserId: null }),
      member('e', 'editor'),
      false,
    ],
    ['an admin of another workspace does not', failed(), member('a', 'admin', { workspaceId: 'w2' }), false],
    [
      'an admin who turned failures off does not',
      failed(),
      member('a', 'admin', { preferences: { ...ALL_ALERTS_ON, failed: false } }),
      false,
    ],
    [
      'turning failures off leaves unknown outcomes on',
      failed({ kind: 'unknown' }),
      member('a', 'admin', { preferences: { ...ALL_ALERTS_ON, failed: false } }),
      true,
    ],
    [
      'an author who turned missed posts off does not hear of one',
      failed({ kind: 'missed' }),
      member('author', 'editor', { preferences: { ...ALL_ALERTS_ON, missed: false } }),
      false,
    ],
    ['an admin hears of an account to reconnect', reauth(), member('a', 'admin'), true],
    ['an editor does not hear of an account to reconnect', reauth(), member('author', 'editor'), false],
    [
      'an owner who turned reconnecting off does not',
      reauth(),
      member('o', 'owner', { preferences: { ...ALL_ALERTS_ON, needsReauth: false } }),
      false,
    ],
  ])('%s', (_, alert, candidate, expected) => {
    expect(isRecipient(alert, candidate)).toBe(expected);
  });
});

describe('groupByRecipient', () => {
  const members = [member('o', 'owner'), member('author', 'editor'), member('v', 'viewer')];

  it('puts every alert a person gets from a pass in one mail, and none for those who get none', () => {
    const alerts = [
      failed({ targetId: 't1', postId: 'p1' }),
      failed({ targetId: 't2', postId: 'p2', authorUserId: 'o' }),
      reauth(),
    ];
    const mails = groupByRecipient(alerts, members);
    expect(mails.map((mail) => [mail.recipient.email, mail.alerts.length])).toEqual([
      ['o@example.com', 3],
      ['author@example.com', 1],
    ]);
    expect(mails[0].workspaceNames).toEqual(new Map([['w1', 'Acme']]));
  });

  it('tells a target or an account once, however many of its events the pass read', () => {
    const mails = groupByRecipient([failed(), failed(), reauth(), reauth()], [member('o', 'owner')]);
    expect(mails[0].alerts.map((alert) => alert.kind)).toEqual(['failed', 'needsReauth']);
  });

  it('gathers one person’s alerts from several workspaces into one mail', () => {
    const alerts = [failed(), failed({ workspaceId: 'w2', targetId: 't9' })];
    const mails = groupByRecipient(alerts, [
      member('o', 'owner'),
      member('o', 'admin', { workspaceId: 'w2', workspaceName: 'Globex' }),
    ]);
    expect(mails).toHaveLength(1);
    expect(mails[0].workspaceNames).toEqual(
      new Map([
        ['w1', 'Acme'],
        ['w2', 'Globex'],
      ]),
    );
  });
});

describe('whenToSend', () => {
  const now = new Date('2030-01-01T09:01:00Z');
  const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it.each<[string, Date | null, number, boolean, 'send' | 'wait']>([
    ['no alert among the events: move on', null, 60, false, 'send'],
    ['no grouping: send at once', secondsAgo(0), 0, false, 'send'],
    ['the burst is still young: wait for the rest', secondsAgo(59), 60, false, 'wait'],
    ['the oldest alert waited long enough', secondsAgo(60), 60, false, 'send'],
    ['a full batch goes out as it is', secondsAgo(1), 60, true, 'send'],
  ])('%s', (_, oldestAlertAt, groupSeconds, batchFull, expected) => {
    expect(whenToSend({ oldestAlertAt, now, groupSeconds, batchFull })).toBe(expected);
  });
});
