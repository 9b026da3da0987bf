import { Injectable } from '@nestjs/common';
import { AppConfig, DomainError, UserRepository } from '@app/shared';
import { CsrfTokens } from '../auth/csrf-tokens.js';
import type { UserPrincipal } from '../auth/principal.js';
import { SessionRepository } from '../auth/session.repository.js';
import type { ProfileResponse, SessionResponse } from './dto/profile.response.js';
import { UserWorkspacesRepository } from './user-workspaces.repository.js';

/** A signed-in person's own account: who they are, their workspaces, their sessions. */
@Injectable()
export class MeService {
  constructor(
    private readonly users: UserRepository,
    private readonly workspaces: UserWorkspacesRepository,
    private readonly sessions: SessionRepository,
    private readonly csrf: CsrfTokens,
    private readonly config: AppConfig,
  ) {}

  async profile(userId: string, sessionId: string): Promise<ProfileResponse> {
    const [user, workspaces] = await Promise.all([this.users.findById(userId), this.workspaces.of(userId)]);
    // The session was live a moment ago, and a user's sessions go with the user.
    if (!user) throw new DomainError('UNAUTHORIZED', 'Your session has ended: sign in again');
    return { user, workspaces, csrfToken: this.csrf.tokenFor(sessionId) };
  }

  async sessionsOf(me: UserPrincipal): Promise<SessionResponse[]> {
    const sessions = await this.sessions.listLive(me.userId, this.config.sessions.idleSeconds);
    return sessions.map((session) => ({ ...session, current: session.id === me.sessionId }));
  }

  /** Ends one of the person's sessions (the current one too, if named): its next request is refused. */
  async endSession(me: UserPrincipal, sessionId: string): Promise<void> {
    if (!(await this.sessions.revoke(me.userId, sessionId))) throw DomainError.notFound('Session');
  }

  /** Ends every other session of the person ("sign out everywhere else"); returns how many. */
  endOtherSessions(me: UserPrincipal): Promise<number> {
    return this.sessions.revokeAll(me.userId, me.sessionId);
  }
}
