import { Injectable } from '@nestjs/common';
import { isRole, type Role, sqlRows, type Tx } from '@app/shared';
import { DataSource } from 'typeorm';

export interface NewSession {
  userId: string;
  tokenHash: string;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/** What a live session says about its request: who, and their role in the workspace named (if any). */
export interface SessionPrincipalRow {
  sessionId: string;
  userId: string;
  email: string;
  role: Role | null;
}

/** A live session as its person sees it in their list. */
export interface SessionRow {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/**
 * A session still signs its person in: the same condition as the function session_principal's. Its
 * queries pass the idle limit (seconds) as `$2`.
 */
const LIVE = `revoked_at IS NULL AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $2)`;

/** People's sessions (table `sessions`; tokens kept as SHA-256 hashes only). */
@Injectable()
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(session: NewSession): Promise<string> {
    const [row] = await sqlRows<{ id: string }>(
      this.dataSource.manager,
      `INSERT INTO sessions (user_id, token_hash, expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [session.userId, session.tokenHash, session.expiresAt, session.userAgent, session.ip],
    );
    return row.id;
  }

  /**
   * The live session with this token and the member's role in `workspaceId` (null when not a member or
   * no workspace is named); null when no live session has it. Keeps the session alive (idle expiry).
   */
  async principal(
    tokenHash: string,
    workspaceId: string | null,
    idleSeconds: number,
  ): Promise<SessionPrincipalRow | null> {
    const [row] = await sqlRows<{ session_id: string; user_id: string; email: string; role: string | null }>(
      this.dataSource.manager,
      `SELECT * FROM session_principal($1, $2, $3)`,
      [tokenHash, workspaceId, idleSeconds],
    );
    if (!row) return null;
    return {
      sessionId: row.session_id,
      userId: row.user_id,
      email: row.email,
      role: isRole(row.role) ? row.role : null,
    };
  }

  /** The user's live sessions, most recently used first. */
  async listLive(userId: string, idleSeconds: number): Promise<SessionRow[]> {
    const rows = await sqlRows<{
      id: string;
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      user_agent: string | null;
      ip: string | null;
    }>(
      this.dataSource.manager,
      `SELECT id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions
        WHERE user_id = $1 AND ${LIVE} ORDER BY last_seen_at DESC, created_at DESC`,
      [userId, idleSeconds],
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      userAgent: row.user_agent,
      ip: row.ip,
    }));
  }

  /** Ends one of the user's sessions; false when the user has no such session still open. */
  async revoke(userId: string, sessionId: string): Promise<boolean> {
    const rows = await sqlRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE sessions SET revoked_at = now() WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL RETURNING id`,
      [userId, sessionId],
    );
    return rows.length > 0;
  }

  /** Ends every open session of the user but `exceptSessionId` (none: all); returns how many it ended. */
  async revokeAll(userId: string, exceptSessionId: string | null, tx?: Tx): Promise<number> {
    const rows = await sqlRows<{ id: string }>(
      tx ?? this.dataSource.manager,
      `UPDATE sessions SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND id IS DISTINCT FROM $2 RETURNING id`,
      [userId, exceptSessionId],
    );
    return rows.length;
  }

  /** Forgets the user's sessions that can sign nobody in any more (ended, expired or idle too long). */
  async deleteEnded(userId: string, idleSeconds: number): Promise<void> {
    await this.dataSource.manager.query(`DELETE FROM sessions WHERE user_id = $1 AND NOT (${LIVE})`, [
      userId,
      idleSeconds,
    ]);
  }
}
