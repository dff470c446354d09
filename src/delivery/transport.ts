/** What travels with one triggered message besides its bytes. */
export interface OutgoingMessage {
  /** The job id: the same on every attempt, so a receiver that deduplicates by it gets the message once. */
  idempotencyKey: string;
  from: string;
  to: string;
  triggerId: string;
  subscriberId: string;
  campaignId: string;
  /** The complete RFC 5322 message (email/compose.ts). */
  message: Buffer;
}

/**
 * Where triggered messages go (README "Triggered sends"): SMTP, an ESP's
 * webhook, or, with neither configured, the log and the outbox the API
 * shows. `send` resolves with the receiver's answer once it has accepted the
 * message, and rejects when it has not (the job is retried with backoff).
 */
export interface MessageTransport {
  readonly name: 'smtp' | 'webhook' | 'log';
  /** True when the message is kept in the queue's row instead of leaving the server (the log outbox). */
  readonly keepsMessage: boolean;
  send(message: OutgoingMessage): Promise<string>;
  close(): void;
}
