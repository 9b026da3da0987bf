import type { MailMessage } from '@app/shared';
import type { Invitation } from './invitation.js';

/**
 * Where an invitation's link leads: the web app's page, which posts the token to
 * POST /v1/invitations/accept. The token travels in the fragment, which browsers never send to a
 * server nor put in a Referer.
 */
export const invitationLink = (publicBaseUrl: string, token: string): string =>
  `${publicBaseUrl}/accept-invitation#token=${encodeURIComponent(token)}`;

/**
 * The mail that carries an invitation's link. `inviter` is the inviting person's email; none when the
 * operator or an API key invited (their labels mean nothing to the invitee).
 */
export function invitationMail(
  invitation: Invitation,
  workspaceName: string,
  link: string,
  inviter: string | null,
): MailMessage {
  const greeting = invitation.name ? `Hello ${invitation.name},` : 'Hello,';
  return {
    to: invitation.email,
    subject: `You are invited to ${workspaceName} on Herald`,
    text: [
      greeting,
      '',
      `${inviter ? `${inviter} invited you` : 'You are invited'} to the workspace "${workspaceName}" on Herald, as ${invitation.role}.`,
      '',
      `Accept the invitation: ${link}`,
      '',
      `The link works once, until ${invitation.expiresAt.toUTCString()}.`,
      'If you did not expect this invitation, you can ignore this mail.',
    ].join('\n'),
  };
}
