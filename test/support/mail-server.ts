import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { eventually } from './factories.js';

/** A message the server received, parsed. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
}

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
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!options.refuses?.(address.address)) return callback();
      callback(Object.assign(new Error(`No mailbox ${address.address}`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : null,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    waitFor: (matches) =>
      eventually(() => {
        const mail = received.find(matches);
        if (!mail) throw new Error(`no matching mail among ${received.length} received`);
        return mail;
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
