import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { PlatformName } from '../platforms/platform-name.js';
import type { TargetStatus } from './post-status.js';

/** One post on one account: published, retried and reported on its own. */
@Entity('post_targets')
export class PostTarget {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'post_id' })
  postId: string;

  @Column('uuid', { name: 'account_id' })
  accountId: string;

  @Column('text')
  platform: PlatformName;

  @Column('text')
  status: TargetStatus;

  /** When the target should go out (publishAt, or the time of a requested retry); lateness counts from here. */
  @Column('timestamptz', { name: 'due_at' })
  dueAt: Date;

  /** When a worker may next try (publish, retry or reconcile); null once nothing is left to try. */
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  /** While `publishing`: until when the claiming worker owns it. A lapsed lease means the worker died. */
  @Column('timestamptz', { name: 'lease_expires_at', nullable: true })
  leaseExpiresAt: Date | null;

  @Column('int', { default: 0 })
  attempts: number;

  @Column('text', { name: 'platform_post_id', nullable: true })
  platformPostId: string | null;

  @Column('text', { nullable: true })
  url: string | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
