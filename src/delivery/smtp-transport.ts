import nodemailer, { type Transporter } from 'nodemailer';
import type { MessageTransport, OutgoingMessage } from './transport';

/**
 * Triggered messages over SMTP (OPENTIME_SMTP_URL) through one pooled
 * nodemailer transport per process. The message goes as composed: its
 * Message-ID and X-Opentime-Idempotency-Key carry the job id, the same on
 * every attempt, so a relay or ESP that deduplicates by them delivers it once.
 */
export class SmtpTransport implements MessageTransport {
  readonly name = 'smtp';
  readonly keepsMessage = false;
  private readonly transport: Transporter;

  constructor(smtpUrl: string, options: { timeoutMs?: number } = {}) {
    const timeout = options.timeoutMs ?? 30_000;
    const url = new URL(smtpUrl);
    url.searchParams.set('pool', 'true');
    this.transport = nodemailer.createTransport(url.toString(), { connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout } as never);
  }

  async send(message: OutgoingMessage): Promise<string> {
    const info = await this.transport.sendMail({ envelope: { from: message.from, to: [message.to] }, raw: message.message });
    return String(info.response ?? 'accepted');
  }

  close(): void {
    this.transport.close();
  }
}
