import { postSignedWebhook } from '../api/signed-webhook-post';
import { PollingLoop } from '../delivery/polling-loop';
import type { Logger } from '../log';
import type { OutboxMessage, WebhookOutboxStore } from '../storage/ports/webhook-outbox';

export interface WebhookDeliveryOptions {
  outbox: WebhookOutboxStore;
  /** OPENTIME_NOTIFY_WEBHOOK_URL */
  url: string;
  /** OPENTIME_NOTIFY_WEBHOOK_SECRET: signs every body as incoming webhooks are signed (api/webhook-signature.ts). */
  secret: string;
  logger: Logger;
  /** Epoch milliseconds; tests pass a clock they move. */
  clock?: () => number;
  /** Tests pass a fake; default: Node's fetch. */
  fetch?: typeof fetch;
  /** How often the loop looks for due messages (ms). */
  intervalMs?: number;
  /** Attempts before a message is given up (kept in the outbox with its last error). */
  maxAttempts?: number;
  /** How long a claimed message is held for this process's attempt (ms). */
  leaseMs?: number;
  /** Milliseconds before attempt n+1 after n failed attempts. */
  backoffMs?: (failedAttempts: number) => number;
  timeoutMs?: number;
}

/** 10 s, 20 s, 40 s … at most an hour: a receiver down for a deploy gets the message minutes later, one down for a day gets it once it is back within maxAttempts. */
const defaultBackoffMs = (failedAttempts: number): number => Math.min(3_600_000, 10_000 * 2 ** Math.max(0, failedAttempts - 1));

/**
 * Delivers the webhook outbox (storage/ports/webhook-outbox.ts): POSTs each
 * due message's body to the configured URL, signed (`Opentime-Signature:
 * t=…,v1=…`), with `Opentime-Event` and `Opentime-Delivery` (the event id,
 * for the receiver's idempotency). A 2xx settles it; anything else (status,
 * timeout, refused connection) counts an attempt and schedules the next with
 * backoff, until maxAttempts. Every process may run it: a claim is a lease in
 * the database, so two never send one message at once; a process that dies
 * mid-send leaves the message to be claimed again when the lease ends
 * (at-least-once delivery, hence the event id).
 */
export class WebhookDelivery {
  private readonly clock: () => number;
  private readonly fetch: typeof fetch;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly backoffMs: (failedAttempts: number) => number;
  private readonly loop: PollingLoop;

  constructor(private readonly options: WebhookDeliveryOptions) {
    this.clock = options.clock ?? Date.now;
    this.fetch = options.fetch ?? fetch;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.loop = new PollingLoop(
      () => this.deliverDue(),
      options.intervalMs ?? 5_000,
      (error) => options.logger.warn({ err: error }, 'webhook outbox: reading due messages failed; next try at the next tick'),
    );
  }

  /** Sends what is due now; resolves how many were delivered. Concurrent calls share one run. */
  runOnce(): Promise<number> {
    return this.loop.runOnce();
  }

  /** Runs every intervalMs until close(). */
  start(): void {
    this.loop.start();
  }

  close(): Promise<void> {
    return this.loop.close();
  }

  private async deliverDue(): Promise<number> {
    const due = await this.options.outbox.claimDue(this.clock(), this.leaseMs, 20);
    let delivered = 0;
    for (const message of due) if (await this.deliver(message)) delivered++;
    return delivered;
  }

  private async deliver(message: OutboxMessage): Promise<boolean> {
    let problem: string;
    try {
      const response = await postSignedWebhook({
        url: this.options.url,
        secret: this.options.secret,
        body: message.body,
        event: message.type,
        delivery: message.eventId,
        sentAt: this.clock(),
        timeoutMs: this.options.timeoutMs,
        fetch: this.fetch,
      });
      if (response.ok) {
        await this.options.outbox.delivered(message.id, this.clock());
        this.options.logger.info({ event: message.eventId, attempts: message.attempts + 1 }, 'webhook delivered');
        return true;
      }
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    const failedAttempts = message.attempts + 1;
    const next = failedAttempts >= this.maxAttempts ? null : this.clock() + this.backoffMs(failedAttempts);
    await this.options.outbox.failed(message.id, this.clock(), problem, next);
    this.options.logger.warn({ event: message.eventId, attempts: failedAttempts, problem, givenUp: next === null }, next === null ? 'webhook given up' : 'webhook failed; will retry');
    return false;
  }
}
