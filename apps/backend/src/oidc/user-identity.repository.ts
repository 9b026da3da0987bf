import { Injectable } from '@nestjs/common';
import { sqlRows, type Tx } from '@app/shared';

/** The identities people sign in with through single sign-on (table `user_identities`): no workspace data. */
@Injectable()
export class UserIdentityRepository {
  /** The user the provider's (issuer, subject) signs in, if any. */
  async userOf(tx: Tx, issuer: string, subject: string): Promise<string | null> {
    const [row] = await sqlRows<{ user_id: string }>(
      tx,
      `SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`,
      [issuer, subject],
    );
    return row?.user_id ?? null;
  }

  /**
   * Links the identity to the user and returns the user it signs in: another one when a concurrent
   * sign-in with the same identity linked it first (the primary key lets one through).
   */
  async link(tx: Tx, issuer: string, subject: string, userId: string): Promise<string> {
    await tx.query(
      `INSERT INTO user_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [issuer, subject, userId],
    );
    const linked = await this.userOf(tx, issuer, subject);
    if (!linked) throw new Error(`Identity ${subject} of ${issuer} vanished after being linked`);
    return linked;
  }
}
