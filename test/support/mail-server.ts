import { type ReceivedMail, startMailSink } from '../../emulators/mail/mail-sink.js';
import { eventually } from './factories.js';

export type { ReceivedMail };

export interface MailServer {
  /** SMTP_URL for Herald's processes. */
  url: string;
  received: ReceivedMail[];
  /** Waits (with a deadline, not a fixed sleep) for a message that `matches`, and returns it. */
  waitFor(matches: (mail: ReceivedMail) => boolean): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free loopback port that keeps every message it accepts. `refuses` names
 * recipients it turns away for good (550 to RCPT TO), as a server does for a mailbox that does not exist.
 */
export async function startMailServer(options: { refuses?: (address: string) => boolean } = {}): Promise<MailServer> {
  const sink = await startMailSink(options);
  return {
    ...sink,
    waitFor: (matches) =>
      eventually(() => {
        const mail = sink.received.find(matches);
        if (!mail) throw new Error(`no matching mail among ${sink.received.length} received`);
        return mail;
      }),
  };
}
