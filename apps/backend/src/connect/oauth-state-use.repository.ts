import { Injectable } from '@nestjs/common';
import { sqlRows } from '@app/shared';
import { DataSource } from 'typeorm';

/**
 * OAuth `state`s already used on a callback (table `oauth_state_uses`), so each one is used once: to
 * connect accounts, or to sign in through single sign-on (their ids are random UUIDs, so they never clash).
 */
@Injectable()
export class OAuthStateUseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks the state used; false when it was used already (by this or a concurrent callback).
   * States past their expiry are refused before they get here, so their rows are dropped on the way.
   */
  async markUsed(stateId: string, expiresAt: Date, now: Date): Promise<boolean> {
    await this.dataSource.query(`DELETE FROM oauth_state_uses WHERE expires_at < $1`, [now]);
    const inserted = await sqlRows<{ state_id: string }>(
      this.dataSource.manager,
      `INSERT INTO oauth_state_uses (state_id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING state_id`,
      [stateId, expiresAt],
    );
    return inserted.length === 1;
  }
}
