import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { fail, ok, type Result } from '../core/result.ts';

export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
};

export type SentMail = { messageId: string; accepted: string[] };

/** The one way Leadloop sends email (alerts, nurture). Tests point it at a real SMTP server process. */
export type Mailer = {
  send: (mail: OutgoingMail) => Promise<Result<SentMail> & { permanent?: boolean }>;
  close: () => void;
};

/**
 * The demo workspace's outbox: its people are fictional (some at real free-mail domains), so mail to
 * them is recorded as sent and goes nowhere, whatever SMTP server the installation has configured.
 */
export const recordOnlyMailer: Mailer = {
  send: async (mail) => ok({ messageId: `<demo-${randomUUID()}@demo.example>`, accepted: [mail.to] }),
  close: () => {},
};

/**
 * Builds an SMTP mailer from a URL (smtp://user:pass@host:port, smtps:// for implicit TLS), or a
 * mailer that refuses with a clear reason when SMTP is not configured: the caller records why
 * nothing was sent instead of pretending it was.
 */
export function createMailer(smtpUrl: string | undefined, from: string): Mailer {
  if (!smtpUrl) {
    return { send: async () => fail('ValidationFailed', 'Email is not configured: set SMTP_URL to send email.'), close: () => {} };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers });
        return ok({ messageId: String(info.messageId), accepted: (info.accepted as unknown[]).map(String) });
      } catch (e) {
        const err = e as { responseCode?: number; message?: string };
        // 5xx SMTP replies are permanent (hard bounce: stop sending); others are worth a retry.
        const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
        return { ...fail('ValidationFailed', `SMTP refused the message: ${err.message ?? String(e)}`), permanent };
      }
    },
    close: () => transport.close(),
  };
}
