import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message the sink received, parsed. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
}

export interface MailSink {
  /** SMTP_URL for Herald's processes. */
  url: string;
  /** Every message accepted so far, oldest first. */
  received: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server that delivers nowhere: it accepts every message (no authentication, no TLS) and
 * keeps it, for the tests and `npm start`, so invitations and password resets work without a mail provider.
 */
export async function startMailSink(
  options: {
    host?: string;
    port?: number;
    onMail?: (mail: ReceivedMail) => void;
    /** Recipients refused for good (550 to RCPT TO), as for a mailbox that does not exist. */
    refuses?: (address: string) => boolean;
  } = {},
): Promise<MailSink> {
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
        .then((parsed) => {
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
          };
          received.push(mail);
          options.onMail?.(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${host}:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
