import type { AlertKind, MailMessage } from '@app/shared';
import type { Alert, AlertMail, ReauthAlert, TargetAlert } from './alert.js';

const EXCERPT_LENGTH = 80;

const SUMMARY: Record<AlertKind, (count: number) => string> = {
  failed: (n) => (n === 1 ? '1 post failed' : `${n} posts failed`),
  unknown: (n) => (n === 1 ? '1 post may not have gone out' : `${n} posts may not have gone out`),
  missed: (n) => (n === 1 ? '1 post missed its time' : `${n} posts missed their time`),
  needsReauth: (n) => (n === 1 ? '1 account needs reconnecting' : `${n} accounts need reconnecting`),
};

const HEADLINE: Record<AlertKind, string> = {
  failed: 'Post failed',
  unknown: 'Post may not have gone out',
  missed: 'Post missed its time',
  needsReauth: 'Account needs reconnecting',
};

/** "3 posts failed, 1 account needs reconnecting": each kind once, counting posts (or accounts). */
export function summarize(alerts: Alert[]): string {
  const subjects = new Map<AlertKind, Set<string>>();
  for (const alert of alerts) {
    const ids = subjects.get(alert.kind) ?? new Set<string>();
    ids.add(alert.kind === 'needsReauth' ? alert.accountId : alert.postId);
    subjects.set(alert.kind, ids);
  }
  return (Object.keys(SUMMARY) as AlertKind[])
    .filter((kind) => subjects.has(kind))
    .map((kind) => SUMMARY[kind](subjects.get(kind)!.size))
    .join(', ');
}

export const excerpt = (content: string): string => {
  const flat = content.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH - 1)}…` : flat;
};

const utc = (time: Date): string => `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function targetLines(alert: TargetAlert, baseUrl: string): string[] {
  const retry = `POST ${baseUrl}/v1/posts/${alert.postId}/retry`;
  const todo: Record<TargetAlert['kind'], string> = {
    failed: `fix what ${alert.platformName} objects to, then retry it: ${retry}`,
    unknown: `${alert.platformName}'s answer was lost, so Herald will not guess. Check ${alert.accountName} on ${alert.platformName}; if the post is not there, retry it: ${retry}`,
    missed: `it was too late to go out, so it was not sent. To send it now, retry it: ${retry}`,
  };
  return [
    `${HEADLINE[alert.kind]} on ${alert.platformName} (${alert.accountName})`,
    `  Post:       ${alert.postId} "${excerpt(alert.content)}"`,
    `  Due:        ${utc(alert.dueAt)}`,
    `  ${alert.platformName} said: "${alert.words}"`,
    `  What to do: ${todo[alert.kind]}`,
  ];
}

function reauthLines(alert: ReauthAlert, baseUrl: string): string[] {
  const todo =
    alert.reconnect === 'oauth'
      ? `reconnect it: GET ${baseUrl}/v1/connect/${alert.platform}, then open the authorizeUrl it answers and approve access as ${alert.accountName}`
      : `add it again with fresh credentials: POST ${baseUrl}/v1/accounts`;
  const atRisk =
    alert.totalAtRisk === 0
      ? ['  At risk:    no scheduled post for now']
      : [
          `  At risk:    ${alert.totalAtRisk === 1 ? '1 scheduled post fails' : `${alert.totalAtRisk} scheduled posts fail`} unless it is reconnected before their time:`,
          ...alert.postsAtRisk.map((post) => `    - ${utc(post.dueAt)}  ${post.postId} "${excerpt(post.content)}"`),
          ...(alert.totalAtRisk > alert.postsAtRisk.length
            ? [`    - and ${alert.totalAtRisk - alert.postsAtRisk.length} more`]
            : []),
        ];
  return [
    `${HEADLINE.needsReauth}: ${alert.platformName} (${alert.accountName})`,
    `  ${alert.platformName} said: "${alert.words}"`,
    ...atRisk,
    `  What to do: ${todo}`,
  ];
}

/** The plain-text mail telling one person about their alerts, grouped by workspace. */
export function renderAlertMail(mail: AlertMail, baseUrl: string): MailMessage {
  const summary = summarize(mail.alerts);
  const sections = [...mail.workspaceNames].map(([workspaceId, workspaceName]) => {
    const heading = `Workspace "${workspaceName}" (${workspaceId})`;
    const alerts = mail.alerts
      .filter((alert) => alert.workspaceId === workspaceId)
      .map((alert) =>
        (alert.kind === 'needsReauth' ? reauthLines(alert, baseUrl) : targetLines(alert, baseUrl)).join('\n'),
      );
    return [heading, '='.repeat(heading.length), '', alerts.join('\n\n')].join('\n');
  });
  const text = [
    `Hello ${mail.recipient.name || mail.recipient.email},`,
    '',
    `In Herald: ${summary}.`,
    '',
    sections.join('\n\n'),
    '',
    '--',
    'Requests made with a session name their workspace in the X-Herald-Workspace header; an API key implies it.',
    'You get these as an admin or owner of the workspace, or as the author of the post. Choose which',
    `alerts you get in each workspace: GET ${baseUrl}/v1/me/alerts, then PUT ${baseUrl}/v1/me/alerts/<workspace id>`,
    '',
  ].join('\n');
  return { to: mail.recipient.email, subject: `Herald: ${summary}`, text };
}
