import { postSignedWebhook } from '../api/signed-webhook-post';
import type { MessageTransport, OutgoingMessage } from './transport';

/**
 * Triggered messages POSTed to an ESP's webhook (OPENTIME_TRIGGERS_WEBHOOK_URL),
 * signed as incoming webhooks are (`Opentime-Signature: t=…,v1=…`,
 * api/webhook-signature.ts). The body carries the recipient and the complete
 * message; `id` and the `Idempotency-Key` header are the job id, the same on
 * every attempt. A 2xx is acceptance; anything else is retried.
 */
export class WebhookTransport implements MessageTransport {
  readonly name = 'webhook';
  readonly keepsMessage = false;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly options: { fetch?: typeof fetch; timeoutMs?: number; clock?: () => number } = {},
  ) {}

  async send(message: OutgoingMessage): Promise<string> {
    const body = JSON.stringify({
      id: message.idempotencyKey,
      type: 'triggered_message',
      trigger: message.triggerId,
      campaignId: message.campaignId,
      subscriberId: message.subscriberId,
      from: message.from,
      to: message.to,
      message: message.message.toString('utf8'),
    });
    const response = await postSignedWebhook({
      url: this.url,
      secret: this.secret,
      body,
      event: 'triggered_message',
      delivery: message.idempotencyKey,
      sentAt: (this.options.clock ?? Date.now)(),
      extraHeaders: { 'Idempotency-Key': message.idempotencyKey },
      timeoutMs: this.options.timeoutMs,
      fetch: this.options.fetch,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} from the triggers webhook`);
    return `HTTP ${response.status}`;
  }

  close(): void {}
}
