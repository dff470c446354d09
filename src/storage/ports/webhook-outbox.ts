/** One outgoing webhook, as the outbox keeps it until it is delivered. */
export interface OutboxMessage {
  id: number;
  /** Unique per event (the receiver's idempotency key, sent as `id` in the body). */
  eventId: string;
  type: string;
  /** The JSON body, exactly as it is signed and sent. */
  body: string;
  /** Delivery attempts made so far. */
  attempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** How a message stands, for tests and the API. */
export interface OutboxState {
  eventId: string;
  type: string;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  gaveUpAt: number | null;
  lastError: string | null;
}

/**
 * The durable outbox of outgoing webhooks (forms/webhook-delivery.ts delivers
 * it). Messages are written by the transaction that causes them (a restock in
 * ingestion), so none is lost to a crash between the cause and the send.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - `claimDue` hands out messages whose next attempt is due, oldest first,
 *   and pushes their next attempt `leaseMs` later in the same statement, so
 *   two processes claiming at once never get the same message;
 * - `delivered` and `failed` settle one attempt: a delivered or abandoned
 *   message is never claimed again.
 */
export interface WebhookOutboxStore {
  claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxMessage[]>;
  delivered(id: number, at: number): Promise<void>;
  /** Counts the attempt; `nextAttemptAt` null: given up (attempts exhausted). */
  failed(id: number, at: number, error: string, nextAttemptAt: number | null): Promise<void>;
  /** Every message, oldest first (tests, diagnostics). */
  states(limit: number): Promise<OutboxState[]>;
}
