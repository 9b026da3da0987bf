import { Injectable, Logger } from '@nestjs/common';
import {
  AlertFactsRepository,
  alertKindOf,
  AppConfig,
  EventConsumerRepository,
  EventRepository,
  type HeraldEvent,
  Mailer,
  type MailMessage,
  type PlatformName,
  PlatformRegistry,
} from '@app/shared';
import { SchedulerLock } from '../common/scheduler-lock.js';
import type { Alert } from './alert.js';
import { groupByRecipient, whenToSend } from './alert-decisions.js';
import { renderAlertMail } from './alert-mail.js';

/** The alerts' cursor in the events outbox (table `event_consumers`). */
export const ALERTS_CONSUMER = 'alerts';
/** Events read per round trip; a pass goes on until it has read them all. */
const BATCH_SIZE = 500;
/** Posts at risk listed per account in a mail; the rest are counted. */
const POSTS_AT_RISK_LISTED = 20;

export interface AlertPassSummary {
  events: number;
  mails: number;
}

const stringIn = (data: Record<string, unknown>, ...fields: string[]): string | undefined =>
  fields.map((field) => data[field]).find((value): value is string => typeof value === 'string' && value !== '');

/**
 * Mails people about what needs them, read from the events outbox: targets that ended failed, unknown
 * or missed, and accounts that need reconnecting. One pass at a time across replicas. Each pass reads
 * the events after its cursor, mails each person everything they get from them in one mail, and only
 * then moves the cursor: a crash or an SMTP failure in between mails them again next pass (at least
 * once), and nothing is ever skipped.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly events: EventRepository,
    private readonly consumers: EventConsumerRepository,
    private readonly facts: AlertFactsRepository,
    private readonly platforms: PlatformRegistry,
    private readonly mailer: Mailer,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
  ) {}

  /** 'busy': another replica is mailing alerts now. */
  runPass(now: Date = new Date()): Promise<AlertPassSummary | 'busy'> {
    return this.lock.runExclusive('alerts', async () => {
      const summary: AlertPassSummary = { events: 0, mails: 0 };
      for (;;) {
        const batch = await this.events.readAfter(await this.consumers.cursorOf(ALERTS_CONSUMER), BATCH_SIZE);
        if (batch.length === 0) break;
        const alerting = batch.map(({ event }) => event).filter((event) => alertKindOf(event.type) !== null);
        const decision = whenToSend({
          oldestAlertAt: alerting.length > 0 ? new Date(Math.min(...alerting.map((e) => e.createdAt.getTime()))) : null,
          now,
          groupSeconds: this.config.alerts.groupSeconds,
          batchFull: batch.length === BATCH_SIZE,
        });
        if (decision === 'wait') break;
        const mails = groupByRecipient(await this.alertsOf(alerting), await this.membersFor(alerting));
        for (const mail of mails) await this.send(renderAlertMail(mail, this.config.publicBaseUrl));
        await this.consumers.advance(ALERTS_CONSUMER, batch[batch.length - 1].cursor);
        summary.events += batch.length;
        summary.mails += mails.length;
        if (batch.length < BATCH_SIZE) break;
      }
      if (summary.mails > 0) this.logger.log(`Alerts pass: ${JSON.stringify(summary)}`);
      return summary;
    });
  }

  /**
   * Hands a mail to SMTP. A recipient the server refuses for good (5xx to RCPT TO) is logged and skipped,
   * or one bad address would hold everyone's alerts back forever; any other failure ends the pass.
   */
  private async send(message: MailMessage): Promise<void> {
    try {
      await this.mailer.send(message);
    } catch (error) {
      const { code, responseCode } = error as { code?: string; responseCode?: number };
      if (code !== 'EENVELOPE' || responseCode === undefined || responseCode < 500) throw error;
      this.logger.warn(`Alert mail refused by the SMTP server, not retried: ${(error as Error).message}`);
    }
  }

  private async membersFor(events: HeraldEvent[]) {
    return this.facts.members([...new Set(events.map((event) => event.workspaceId))]);
  }

  /** The alerts the events raise, with the facts a person needs; an event whose subject is gone raises none. */
  private async alertsOf(events: HeraldEvent[]): Promise<Alert[]> {
    const targetIdOf = (event: HeraldEvent) => stringIn(event.data, 'targetId');
    const accountIdOf = (event: HeraldEvent) => stringIn(event.data, 'accountId');
    const reauths = events.filter((event) => event.type === 'account.needs_reauth');
    const targetIds = events
      .filter((event) => event.type !== 'account.needs_reauth')
      .flatMap((e) => targetIdOf(e) ?? []);
    const accountIds = reauths.flatMap((event) => accountIdOf(event) ?? []);
    const [targets, accounts, postsAtRisk] = await Promise.all([
      this.facts.targets(targetIds),
      this.facts.accounts(accountIds),
      this.facts.postsAtRisk(accountIds, POSTS_AT_RISK_LISTED),
    ]);
    return events.flatMap((event): Alert[] => {
      const kind = alertKindOf(event.type);
      if (kind === 'needsReauth') {
        const account = accounts.find((candidate) => candidate.accountId === accountIdOf(event));
        if (!account) return [];
        const atRisk = postsAtRisk.filter((post) => post.accountId === account.accountId);
        return [
          {
            kind,
            workspaceId: account.workspaceId,
            accountId: account.accountId,
            accountName: account.name,
            platform: account.platform,
            platformName: this.displayName(account.platform),
            words: stringIn(event.data, 'reason', 'message') ?? account.statusReason ?? 'no reason given',
            reconnect: this.platforms.get(account.platform).oauth ? 'oauth' : 'credentials',
            postsAtRisk: atRisk.map(({ postId, content, dueAt }) => ({ postId, content, dueAt })),
            totalAtRisk: atRisk[0]?.total ?? 0,
          },
        ];
      }
      const target = targets.find((candidate) => candidate.targetId === targetIdOf(event));
      if (!kind || !target) return [];
      return [
        {
          kind,
          workspaceId: target.workspaceId,
          targetId: target.targetId,
          postId: target.postId,
          content: target.content,
          dueAt: target.dueAt,
          accountName: target.accountName,
          platformName: this.displayName(target.platform),
          words: stringIn(event.data, 'message', 'reason') ?? target.lastError ?? 'no reason given',
          authorUserId: target.authorUserId,
        },
      ];
    });
  }

  private displayName(platform: PlatformName): string {
    return this.platforms.get(platform).rules.displayName;
  }
}
