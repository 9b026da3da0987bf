import { type AlertMember, roleAllows } from '@app/shared';
import type { Alert, AlertMail } from './alert.js';

/**
 * Who hears of an alert: the workspace's admins and owners, and for a post the member who wrote it,
 * each only when they have that kind of alert on.
 */
export function isRecipient(alert: Alert, member: AlertMember): boolean {
  if (member.workspaceId !== alert.workspaceId || !member.preferences[alert.kind]) return false;
  if (roleAllows(member.role, 'admin')) return true;
  return alert.kind !== 'needsReauth' && alert.authorUserId === member.userId;
}

/** The same alert twice in one pass (a target failing again after a retry) is told once. */
const alertKey = (alert: Alert): string =>
  alert.kind === 'needsReauth' ? `${alert.kind}:${alert.accountId}` : `${alert.kind}:${alert.targetId}`;

/** One mail per person, holding every alert they get from this pass, in the order the events came. */
export function groupByRecipient(alerts: Alert[], members: AlertMember[]): AlertMail[] {
  const mails = new Map<string, AlertMail & { keys: Set<string> }>();
  for (const alert of alerts) {
    for (const member of members.filter((candidate) => isRecipient(alert, candidate))) {
      let mail = mails.get(member.userId);
      if (!mail) {
        mail = {
          recipient: { userId: member.userId, email: member.email, name: member.name },
          workspaceNames: new Map(),
          alerts: [],
          keys: new Set(),
        };
        mails.set(member.userId, mail);
      }
      if (mail.keys.has(alertKey(alert))) continue;
      mail.keys.add(alertKey(alert));
      mail.workspaceNames.set(member.workspaceId, member.workspaceName);
      mail.alerts.push(alert);
    }
  }
  return [...mails.values()].map(({ keys: _keys, ...mail }) => mail);
}

/**
 * Whether a pass mails what it read now, or leaves it for a later pass so that a burst goes out in one
 * mail: it waits while the oldest alert it read is younger than `groupSeconds`, unless the batch is
 * full (a burst that large is mailed as it is). Events that raise no alert never wait.
 */
export function whenToSend(facts: {
  oldestAlertAt: Date | null;
  now: Date;
  groupSeconds: number;
  batchFull: boolean;
}): 'send' | 'wait' {
  if (facts.oldestAlertAt === null || facts.batchFull) return 'send';
  return facts.now.getTime() - facts.oldestAlertAt.getTime() >= facts.groupSeconds * 1000 ? 'send' : 'wait';
}
