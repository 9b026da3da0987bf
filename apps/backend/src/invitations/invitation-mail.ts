import type { MailMessage } from '@app/shared';
import type { Invitation } from './invitation.js';

/**
 * Where an invitation's link leads: the web app's page, which posts the token to
 * POST /v1/invitations/accept. The token travels in the fragment, which browsers never send to a
 * server nor put in a Referer.
 */
export const invitationLink = (publicBaseUrl: string, token: string): string =>
  `${publicBaseUrl}/accept-invitation#token=${encodeURIComponent(token)}`;

/** The mail that carries an invitation's link. */
export function invitationMail(invitation: Invitation, workspaceName: string, link: string): MailMessage {
  const greeting = invitation.name ? `Hello ${invitation.name},` : 'Hello,';
  return {
    to: invitation.email,
    subject: `You are invited to ${workspaceName} on Herald`,
    text: [
      greeting,
      '',
      `${invitation.invitedBy} invited you to the workspace "${workspaceName}" on Herald, as ${invitation.role}.`,
      '',
      `Accept the invitation: ${link}`,
      '',
      `The link works once, until ${invitation.expiresAt.toUTCString()}.`,
      'If you did not expect this invitation, you can ignore this mail.',
    ].join('\n'),
  };
}
