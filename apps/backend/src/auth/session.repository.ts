import { Injectable } from '@nestjs/common';
import { isRole, type Role, sqlRows } from '@app/shared';
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
}
