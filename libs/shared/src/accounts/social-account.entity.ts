import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { PlatformName } from '../platforms/platform-name.js';

export const ACCOUNT_STATUSES = ['active', 'needs_reauth'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** A connected social-media account. Its credentials are encrypted at rest and never leave the server. */
@Entity('social_accounts')
export class SocialAccount {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId: string;

  @Column('text')
  platform: PlatformName;

  @Column('text')
  name: string;

  /** AES-256-GCM envelope of the credentials JSON; null once the account is deleted. */
  @Column('text', { name: 'encrypted_credentials', nullable: true, select: false })
  encryptedCredentials: string | null;

  /** The platform's id of the account (user, page, channel, webhook), as the platform told it. */
  @Column('text', { name: 'external_id', nullable: true })
  externalId: string | null;

  @Column('text')
  status: AccountStatus;

  /** Why the account needs reconnecting (the platform's answer), while `needs_reauth`. */
  @Column('text', { name: 'status_reason', nullable: true })
  statusReason: string | null;

  /** When the scheduler renews the credentials, ahead of their expiry; null: they do not expire. */
  @Column('timestamptz', { name: 'renew_at', nullable: true })
  renewAt: Date | null;

  /** After a platform's 429: none of the account's targets is claimed before then. */
  @Column('timestamptz', { name: 'rate_limited_until', nullable: true })
  rateLimitedUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt: Date | null;
}
