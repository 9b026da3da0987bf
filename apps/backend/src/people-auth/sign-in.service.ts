import { Injectable } from '@nestjs/common';
import { DomainError, PasswordHasher, UserRepository } from '@app/shared';
import { randomBytes } from 'node:crypto';
import type { UserPrincipal } from '../auth/principal.js';
import { SessionRepository } from '../auth/session.repository.js';
import { SessionsService, type StartedSession } from '../auth/sessions.service.js';
import type { ProfileResponse } from './dto/profile.response.js';
import { MeService } from './me.service.js';

/** One answer for an unknown email, a user without a password and a wrong password: it tells nothing. */
const WRONG_CREDENTIALS = 'Wrong email or password';

export interface Client {
  userAgent: string | null;
  ip: string | null;
}

/** Signing in with email and password, and out. */
@Injectable()
export class SignInService {
  /** Verified when the email has no password, so an unknown email costs the same argon2 time as a known one. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessionsService: SessionsService,
    private readonly sessions: SessionRepository,
    private readonly me: MeService,
  ) {}

  async signIn(
    email: string,
    password: string,
    client: Client,
  ): Promise<{ session: StartedSession; profile: ProfileResponse }> {
    const account = await this.users.passwordHashOf(email);
    const matches = await this.hasher.verify(account?.passwordHash ?? (await this.dummyPasswordHash()), password);
    if (!account || !matches) throw new DomainError('UNAUTHORIZED', WRONG_CREDENTIALS);
    const session = await this.sessionsService.start(account.userId, client);
    return { session, profile: await this.me.profile(account.userId, session.sessionId) };
  }

  async signOut(me: UserPrincipal): Promise<void> {
    await this.sessions.revoke(me.userId, me.sessionId);
  }

  private dummyPasswordHash(): Promise<string> {
    return (this.dummyHash ??= this.hasher.hash(randomBytes(32).toString('base64url')));
  }
}
