import type { AlertKind } from '@app/shared';

/** A target that ended failed, unknown or missed, with what a person needs to act on it. */
export interface TargetAlert {
  kind: Exclude<AlertKind, 'needsReauth'>;
  workspaceId: string;
  targetId: string;
  postId: string;
  content: string;
  dueAt: Date;
  accountName: string;
  /** The platform's display name ("X", "Mastodon"). */
  platformName: string;
  /** The platform's own words about what happened. */
  words: string;
  authorUserId: string | null;
}

/** An account that needs reconnecting, with the scheduled posts it puts at risk. */
export interface ReauthAlert {
  kind: 'needsReauth';
  workspaceId: string;
  accountId: string;
  accountName: string;
  platform: string;
  platformName: string;
  words: string;
  /** `oauth`: GET /v1/connect/:platform reconnects it; `credentials`: it is added again with fresh ones. */
  reconnect: 'oauth' | 'credentials';
  postsAtRisk: { postId: string; content: string; dueAt: Date }[];
  /** All the account's waiting posts, of which `postsAtRisk` lists the soonest. */
  totalAtRisk: number;
}

export type Alert = TargetAlert | ReauthAlert;

/** One person's alerts found in a pass, for one mail. */
export interface AlertMail {
  recipient: { userId: string; email: string; name: string };
  /** The names of the workspaces the alerts are in, by id. */
  workspaceNames: Map<string, string>;
  alerts: Alert[];
}
