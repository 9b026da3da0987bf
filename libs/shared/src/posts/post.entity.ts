import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { PostStatus } from './post-status.js';

@Entity('posts')
export class Post {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId: string;

  @Column('text')
  content: string;

  @Column('timestamptz', { name: 'publish_at' })
  publishAt: Date;

  /** A target more than this late is `missed` rather than published (workspace default unless given). */
  @Column('int', { name: 'max_lateness_seconds' })
  maxLatenessSeconds: number;

  /** Derived from the targets (see derivePostStatus) and stored so lists can filter on it. */
  @Column('text')
  status: PostStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
