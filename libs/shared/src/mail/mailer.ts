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
    this.transport = nodemailer.createTransport(config.mail.smtpUrl);
  }

  /** Resolves once the SMTP server accepted the message; rejects when it refused or could not be reached. */
  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.config.mail.from, ...message });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
