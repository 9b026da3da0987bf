import { describe, expect, it } from '@jest/globals';
import { type Invitation, invitationState, type InvitationState } from './invitation.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

const invitation = (facts: Partial<Invitation>): Invitation => ({
  id: 'i',
  workspaceId: 'w',
  email: 'a@example.com',
  name: '',
  role: 'editor',
  invitedBy: 'operator',
  createdAt: at(-1000),
  expiresAt: at(1000),
  acceptedAt: null,
  revokedAt: null,
  ...facts,
});

describe('invitationState', () => {
  it.each<[string, Partial<Invitation>, InvitationState]>([
    ['before its expiry', {}, 'pending'],
    ['at its expiry', { expiresAt: NOW }, 'expired'],
    ['after its expiry', { expiresAt: at(-1) }, 'expired'],
    ['accepted', { acceptedAt: at(-10) }, 'accepted'],
    ['accepted, then expired', { acceptedAt: at(-10), expiresAt: at(-1) }, 'accepted'],
    ['revoked', { revokedAt: at(-10) }, 'revoked'],
    ['revoked and expired', { revokedAt: at(-10), expiresAt: at(-1) }, 'revoked'],
  ])('%s: %s', (_, facts, expected) => {
    expect(invitationState(invitation(facts), NOW)).toBe(expected);
  });
});
