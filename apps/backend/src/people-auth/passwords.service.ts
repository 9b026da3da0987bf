import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, DomainError, Mailer, PasswordHasher, TransactionRunner, UserRepository } from '@app/shared';
import type { UserPrincipal } from '../auth/principal.js';
import { SessionRepository } from '../auth/session.repository.js';
// Reset links carry the same kind of secret as session cookies: 32 random bytes, stored as their SHA-256.
import { hashSessionToken as hashResetToken, newSessionToken as newResetToken } from '../auth/session-token.js';
import { PasswordResetRepository } from './password-reset.repository.js';

/** How long an emailed reset link works. */
export const RESET_LINK_LIFETIME_SECONDS = 3600;

/** Changing a password, and resetting a forgotten one through an emailed single-use link. */
@Injectable()
export class PasswordsService {
  private readonly logger = new Logger('Passwords');

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionRepository,
    private readonly resets: PasswordResetRepository,
    private readonly transactions: TransactionRunner,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  /** Sets a new password once the current one is proven, and ends the person's other sessions. */
  async change(me: UserPrincipal, currentPassword: string, newPassword: string): Promise<void> {
    const account = await this.users.passwordHashOf(me.email);
    if (!account || !(await this.hasher.verify(account.passwordHash, currentPassword))) {
      throw DomainError.validation([
        {
          field: 'currentPassword',
          message: account
            ? 'is not your current password'
            : 'cannot be checked: your account has no password yet (set one with a password reset)',
        },
      ]);
    }
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (tx) => {
      await this.users.setPasswordHash(me.userId, passwordHash, tx);
      await this.sessions.revokeAll(me.userId, me.sessionId, tx);
    });
  }

  /**
   * Mails a reset link when the email has an account, and says nothing either way. The mail goes out
   * after the answer, so neither the time of the answer nor a mail server's failure tells who exists.
   */
  async requestReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user) return;
    const token = newResetToken();
    await this.resets.create(user.id, hashResetToken(token), RESET_LINK_LIFETIME_SECONDS);
    void this.mailer.send(this.resetMail(user.email, token)).catch((error: unknown) => {
      this.logger.warn(`Could not send a password-reset mail: ${(error as Error).message}`);
    });
  }

  /** Sets the password of the link's person, spends the link (and their others) and ends all their sessions. */
  async confirmReset(token: string, newPassword: string): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (tx) => {
      const userId = await this.resets.spend(hashResetToken(token), tx);
      if (!userId) {
        throw new DomainError(
          'GONE',
          'This password reset link has already been used or has expired: ask for a new one',
        );
      }
      await this.users.setPasswordHash(userId, passwordHash, tx);
      await this.resets.spendAllOf(userId, tx);
      await this.sessions.revokeAll(userId, null, tx);
    });
  }

  private resetMail(to: string, token: string) {
    // In the fragment, the token never reaches a server's log or a Referer header.
    const link = `${this.config.publicBaseUrl}/reset-password#token=${token}`;
    const minutes = RESET_LINK_LIFETIME_SECONDS / 60;
    return {
      to,
      subject: 'Reset your Herald password',
      text: [
        `Someone (we hope you) asked to reset the password of the Herald account ${to}.`,
        '',
        `To choose a new password, open this link within ${minutes} minutes. It works once:`,
        link,
        '',
        `Or send the token yourself: POST ${this.config.publicBaseUrl}/v1/auth/password-reset/confirm`,
        `with {"token": "${token}", "newPassword": "..."}.`,
        '',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    };
  }
}
