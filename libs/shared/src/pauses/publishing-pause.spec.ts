import { describe, expect, it } from '@jest/globals';
import type { TargetStatus } from '../posts/post-status.js';
import { pauseOfPost, pauseOfTarget, type PauseView, type PublishingPause } from './publishing-pause.js';

const since = new Date('2026-12-02T10:00:00Z');
const workspace: PublishingPause = { accountId: null, since, reason: 'crisis' };
const accountA: PublishingPause = { accountId: 'a', since, reason: null };
const accountB: PublishingPause = { accountId: 'b', since, reason: 'hacked' };

describe('pauseOfTarget', () => {
  it.each<[string, TargetStatus, PublishingPause[], PauseView | null]>([
    ['no pause', 'scheduled', [], null],
    ['workspace paused', 'scheduled', [workspace], { scope: 'workspace', since, reason: 'crisis' }],
    ['its account paused', 'queued', [accountA], { scope: 'account', since, reason: null }],
    ['another account paused', 'scheduled', [accountB], null],
    ['both: the workspace wins', 'scheduled', [accountA, workspace], { scope: 'workspace', since, reason: 'crisis' }],
    ['waiting for approval', 'pending_approval', [accountA], { scope: 'account', since, reason: null }],
    ['being reconciled', 'unknown', [workspace], { scope: 'workspace', since, reason: 'crisis' }],
    ['published', 'published', [workspace], null],
    ['failed', 'failed', [accountA], null],
    ['missed', 'missed', [workspace], null],
    ['cancelled', 'cancelled', [workspace], null],
    ['publishing', 'publishing', [workspace], null],
  ])('%s', (_name, status, pauses, expected) => {
    expect(pauseOfTarget({ accountId: 'a', status }, pauses)).toEqual(expected);
  });
});

describe('pauseOfPost', () => {
  const account: PauseView = { scope: 'account', since, reason: null };
  const whole: PauseView = { scope: 'workspace', since, reason: 'crisis' };

  it.each<[string, (PauseView | null)[], PauseView | null]>([
    ['no target held back', [null, null], null],
    ['one account', [null, account], account],
    ['the workspace', [null, whole, whole], whole],
    ['no targets', [], null],
  ])('%s', (_name, targets, expected) => {
    expect(pauseOfPost(targets)).toEqual(expected);
  });
});
