import type { Logger } from '../log';
import type { MessageTransport, OutgoingMessage } from './transport';

/**
 * With no SMTP server or webhook configured (the demo): each message is
 * logged and kept in its queue row, where GET /api/v1/triggers/outbox shows
 * it, instead of leaving the server.
 */
export class LogTransport implements MessageTransport {
  readonly name = 'log';
  readonly keepsMessage = true;

  constructor(private readonly logger: Logger) {}

  async send(message: OutgoingMessage): Promise<string> {
    this.logger.info(
      { job: message.idempotencyKey, to: message.to, campaign: message.campaignId, bytes: message.message.length },
      'triggered message kept in the outbox (no OPENTIME_SMTP_URL or OPENTIME_TRIGGERS_WEBHOOK_URL)',
    );
    return 'kept in the outbox';
  }

  close(): void {}
}
