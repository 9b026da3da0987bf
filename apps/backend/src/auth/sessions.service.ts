import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/shared';
import { CsrfTokens } from './csrf-tokens.js';
import { SessionRepository } from './session.repository.js';
import { hashSessionToken, newSessionToken } from './session-token.js';

/** A session just started: the token goes into the cookie, the CSRF token to the client's script. */
export interface StartedSession {
  sessionId: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Starts sessions for people who proved who they are (password, single sign-on, an accepted invitation). */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly csrf: CsrfTokens,
    private readonly config: AppConfig,
  ) {}

  async start(userId: string, client: { userAgent: string | null; ip: string | null }): Promise<StartedSession> {
    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + this.config.sessions.maxSeconds * 1000);
    const sessionId = await this.sessions.create({
      userId,
      tokenHash: hashSessionToken(token),
      expiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
    });
    // Each sign-in clears the person's dead sessions, so the table holds only a few rows per person.
    await this.sessions.deleteEnded(userId, this.config.sessions.idleSeconds);
    return { sessionId, token, csrfToken: this.csrf.tokenFor(sessionId), expiresAt };
  }
}
