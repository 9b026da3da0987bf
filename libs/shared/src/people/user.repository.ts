import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import { normalizeEmail, type User } from './user.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: Date;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  hasPassword: row.password_hash !== null,
  createdAt: row.created_at,
});

/** People (table `users`). Users hold no workspace data, so the API role reads them directly. */
@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates a user; null when the email is taken (the caller decides what that means). */
  async create(user: { email: string; name: string; passwordHash: string | null }, tx?: Tx): Promise<User | null> {
    const [row] = await sqlRows<UserRow>(
      this.manager(tx),
      `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO NOTHING RETURNING *`,
      [normalizeEmail(user.email), user.name, user.passwordHash],
    );
    return row ? toUser(row) : null;
  }

  async findById(id: string, tx?: Tx): Promise<User | null> {
    const [row] = await sqlRows<UserRow>(this.manager(tx), `SELECT * FROM users WHERE id = $1`, [id]);
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string, tx?: Tx): Promise<User | null> {
    const [row] = await sqlRows<UserRow>(this.manager(tx), `SELECT * FROM users WHERE email = $1`, [
      normalizeEmail(email),
    ]);
    return row ? toUser(row) : null;
  }

  /** The user's password hash (argon2id), for signing in; null when there is no such user or no password. */
  async passwordHashOf(email: string): Promise<{ userId: string; passwordHash: string } | null> {
    const [row] = await sqlRows<UserRow>(
      this.dataSource.manager,
      `SELECT * FROM users WHERE email = $1 AND password_hash IS NOT NULL`,
      [normalizeEmail(email)],
    );
    return row?.password_hash ? { userId: row.id, passwordHash: row.password_hash } : null;
  }

  async setPasswordHash(userId: string, passwordHash: string, tx?: Tx): Promise<void> {
    await this.manager(tx).query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [
      userId,
      passwordHash,
    ]);
  }

  private manager(tx?: Tx): EntityManager {
    return tx ?? this.dataSource.manager;
  }
}
