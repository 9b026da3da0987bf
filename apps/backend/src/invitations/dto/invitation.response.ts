import type { Role } from '@app/shared';
import { type Invitation, invitationState } from '../invitation.js';

export interface InvitationResponse {
  id: string;
  email: string;
  name: string;
  role: Role;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  /** Its link no longer works: invite again to send a new one. */
  expired: boolean;
}

export const toInvitationResponse = (invitation: Invitation, now = new Date()): InvitationResponse => ({
  id: invitation.id,
  email: invitation.email,
  name: invitation.name,
  role: invitation.role,
  invitedBy: invitation.invitedBy,
  createdAt: invitation.createdAt,
  expiresAt: invitation.expiresAt,
  expired: invitationState(invitation, now) === 'expired',
});
