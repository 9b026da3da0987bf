/** A tenant: every account and post belongs to exactly one workspace (table `workspaces`). */
export interface Workspace {
  id: string;
  name: string;
  /** The maxLatenessSeconds of posts that do not set their own. */
  defaultMaxLatenessSeconds: number;
  createdAt: Date;
}
