import { Injectable } from '@nestjs/common';
import { sqlRows, type Tx } from '@app/shared';
import { DataSource } from 'typeorm';

/** Password-reset links (table `password_resets`; tokens kept as SHA-256 hashes only). */
@Injectable()
export class PasswordResetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds a link for the user, forgetting their links that can open nothing any more (used or expired). */
  async create(userId: string, tokenHash: string, lifetimeSeconds: number): Promise<void> {
    await this.dataSource.manager.query(
      `DELETE FROM password_resets WHERE user_id = $1 AND (used_at IS NOT NULL OR expires_at <= now())`,
      [userId],
    );
    await this.dataSource.manager.query(
      `INSERT INTO password_resets (user_id, token_hash, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [userId, tokenHash, lifetimeSeconds],
    );
  }

  /**
   * Spends the unused, unexpired link with this hash and returns its user; null when there is none.
   * The UPDATE takes the row's lock, so of two requests spending one link, the second finds it used.
   */
  async spend(tokenHash: string, tx: Tx): Promise<string | null> {
    const [row] = await sqlRows<{ user_id: string }>(
      tx,
      `UPDATE password_resets SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
      [tokenHash],
    );
    return row?.user_id ?? null;
  }

  /** Voids the user's other outstanding links: once the password is reset, an older mail opens nothing. */
  async spendAllOf(userId: string, tx: Tx): Promise<void> {
    await tx.query(`UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [userId]);
  }
}
