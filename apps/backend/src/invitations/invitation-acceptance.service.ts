import { Injectable } from '@nestjs/common';
import {
  type ActionOrigin,
  AppConfig,
  AuditLogRepository,
  DomainError,
  EventRepository,
  PasswordHasher,
  type Role,
  TransactionRunner,
  type Tx,
  UserRepository,
  WorkspaceRepository,
} from '@app/shared';
import { CsrfTokens } from '../auth/csrf-tokens.js';
import { SessionRepository } from '../auth/session.repository.js';
import { hashSessionToken } from '../auth/session-token.js';
import { type StartedSession, SessionsService } from '../auth/sessions.service.js';
import { MembershipRepository } from '../members/membership.repository.js';
import { hashInvitationToken, type Invitation, invitationState } from './invitation.js';
import { InvitationRepository } from './invitation.repository.js';

/** The shortest password a person invited may choose. */
export const MIN_PASSWORD_LENGTH = 10;

export interface Acceptance {
  token: string;
  /** A new person's name (else the one the inviter gave). */
  name?: string;
  /** A new person's password, or an existing user's own when they are not signed in. */
  password?: string;
}

/** Who is accepting, as the request shows them. */
export interface AcceptingClient {
  /** The session cookie's token, when the request has one. */
  sessionToken: string | null;
  csrfToken: string | undefined;
  /** The request's Origin header, when the browser sent one. */
  origin: string | undefined;
  userAgent: string | null;
  ip: string | null;
  requestId: string;
}

export interface AcceptedInvitation {
  workspace: { id: string; name: string };
  role: Role;
  user: { id: string; email: string; name: string };
  /** Set when accepting signed the person in (they were not): the cookie's token and the CSRF token. */
  session?: StartedSession;
}

const GONE: Record<Exclude<ReturnType<typeof invitationState>, 'pending'>, string> = {
  accepted: 'This invitation was already accepted',
  revoked: 'This invitation was revoked',
  expired: 'This invitation has expired: ask for a new one',
};

/**
 * Accepting an invitation: the link's token proves the mailbox, and the person proves who they are.
 * A new person chooses a name and password; someone who already has an account is signed in as the
 * invited email, or gives its password. Either way they become a member with the invited role, once.
 */
@Injectable()
export class InvitationAcceptanceService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly invitations: InvitationRepository,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
    private readonly workspaces: WorkspaceRepository,
    private readonly passwords: PasswordHasher,
    private readonly sessionRepository: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly csrf: CsrfTokens,
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
    private readonly config: AppConfig,
  ) {}

  async accept(acceptance: Acceptance, client: AcceptingClient): Promise<AcceptedInvitation> {
    const tokenHash = hashInvitationToken(acceptance.token);
    const workspaceId = await this.invitations.workspaceOfToken(tokenHash);
    if (!workspaceId)
      throw new DomainError(
        'GONE',
        'This invitation link is not valid: a newer invitation replaced it, or it never existed',
      );
    const signedIn = await this.signedInUser(client);
    const accepted = await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const invitation = await this.invitations.lockByToken(tx, workspaceId, tokenHash);
      if (!invitation) throw new DomainError('GONE', 'This invitation link is not valid');
      const state = invitationState(invitation, new Date());
      if (state !== 'pending') throw new DomainError('GONE', GONE[state]);
      const person = await this.person(tx, invitation, acceptance, signedIn);
      if (!(await this.memberships.add(tx, { workspaceId, userId: person.user.id, role: invitation.role }))) {
        throw new DomainError('CONFLICT', `${invitation.email} is already a member of this workspace`);
      }
      await this.invitations.markAccepted(tx, workspaceId, invitation.id);
      const origin: ActionOrigin = {
        actor: { type: 'user', id: person.user.id, label: person.user.email },
        ip: client.ip ?? undefined,
        requestId: client.requestId,
      };
      const facts = { userId: person.user.id, email: person.user.email, role: invitation.role };
      await this.events.append(tx, workspaceId, [
        { type: 'member.joined', data: { ...facts, invitationId: invitation.id } },
      ]);
      await this.audit.record(tx, workspaceId, origin, {
        action: 'member.joined',
        subject: { type: 'user', id: person.user.id },
        details: { email: person.user.email, role: invitation.role, invitationId: invitation.id, new: person.isNew },
      });
      const workspace = await this.workspaces.findById(tx, workspaceId);
      return {
        workspace: { id: workspaceId, name: workspace?.name ?? '' },
        role: invitation.role,
        user: person.user,
        signIn: signedIn === null,
      };
    });
    const { signIn, ...answer } = accepted;
    if (!signIn) return answer;
    return {
      ...answer,
      session: await this.sessions.start(answer.user.id, { userAgent: client.userAgent, ip: client.ip }),
    };
  }

  /**
   * The person the request's session signs in (null without a live session). Accepting through a
   * session changes something with a cookie, so it is checked as the AccessGuard checks any such
   * request: the session's CSRF token, and the Origin when the browser sends one.
   */
  private async signedInUser(client: AcceptingClient): Promise<{ userId: string; email: string } | null> {
    if (!client.sessionToken) return null;
    const session = await this.sessionRepository.principal(
      hashSessionToken(client.sessionToken),
      null,
      this.config.sessions.idleSeconds,
    );
    if (!session) return null;
    const publicOrigin = new URL(this.config.publicBaseUrl).origin;
    if (client.origin !== undefined && client.origin !== publicOrigin) {
      throw new DomainError('FORBIDDEN', `Requests with a session must come from ${publicOrigin}`);
    }
    if (!this.csrf.matches(session.sessionId, client.csrfToken)) {
      throw new DomainError('FORBIDDEN', "Missing or invalid X-CSRF-Token header (the session's CSRF token)");
    }
    return session;
  }

  /** Who accepts: the signed-in user, the existing user who gave their password, or a new person. */
  private async person(
    tx: Tx,
    invitation: Invitation,
    acceptance: Acceptance,
    signedIn: { userId: string; email: string } | null,
  ): Promise<{ user: { id: string; email: string; name: string }; isNew: boolean }> {
    const existing = await this.users.findByEmail(invitation.email, tx);
    if (signedIn) {
      if (signedIn.email !== invitation.email || !existing) {
        throw new DomainError(
          'FORBIDDEN',
          `This invitation is for ${invitation.email}; you are signed in as ${signedIn.email}`,
        );
      }
      return { user: { id: existing.id, email: existing.email, name: existing.name }, isNew: false };
    }
    if (existing) {
      const credentials = await this.users.passwordHashOf(invitation.email);
      const proven =
        acceptance.password !== undefined &&
        credentials !== null &&
        (await this.passwords.verify(credentials.passwordHash, acceptance.password));
      if (!proven) {
        throw new DomainError(
          'UNAUTHORIZED',
          `${invitation.email} already has an account: sign in as ${invitation.email}, or give its password`,
        );
      }
      return { user: { id: existing.id, email: existing.email, name: existing.name }, isNew: false };
    }
    return { user: await this.newUser(tx, invitation, acceptance), isNew: true };
  }

  private async newUser(tx: Tx, invitation: Invitation, acceptance: Acceptance) {
    const name = acceptance.name || invitation.name;
    const problems = [
      ...(name ? [] : [{ field: 'name', message: 'is required to create your account' }]),
      ...((acceptance.password?.length ?? 0) >= MIN_PASSWORD_LENGTH
        ? []
        : [{ field: 'password', message: `must have at least ${MIN_PASSWORD_LENGTH} characters` }]),
    ];
    if (problems.length > 0) throw DomainError.validation(problems);
    const user = await this.users.create(
      { email: invitation.email, name, passwordHash: await this.passwords.hash(acceptance.password ?? '') },
      tx,
    );
    if (!user) throw new DomainError('CONFLICT', `${invitation.email} signed up meanwhile: sign in, then accept`);
    return { id: user.id, email: user.email, name: user.name };
  }
}
