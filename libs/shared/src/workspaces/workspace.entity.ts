import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A tenant: every account and post belongs to exactly one workspace. */
@Entity('workspaces')
export class Workspace {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** The maxLatenessSeconds of posts that do not set their own. */
  @Column('int', { name: 'default_max_lateness_seconds' })
  defaultMaxLatenessSeconds: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
