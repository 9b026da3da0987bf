import { Injectable, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config.js';

/** A message Herald sends to a person: plain text always (some people read mail as text), HTML optional. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail through the configured SMTP server (SMTP_URL) as MAIL_FROM. */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(private readonly config: AppConfig) {
    // Bounded, unlike nodemailer's defaults (up to 10 minutes): an invitation is sent inside its
    // transaction, and a hung SMTP server must not hold that transaction (and the outbox's readers) open.
    this.transport = nodemailer.createTransport({
      url: config.mail.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** Resolves once the SMTP server accepted the message; rejects when it refused or could not be reached. */
  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.config.mail.from, ...message });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
