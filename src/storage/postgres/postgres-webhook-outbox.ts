import type { Pool } from 'pg';
import type { OutboxMessage, OutboxState, WebhookOutboxStore } from '../ports/webhook-outbox';

const SQL = {
  // SKIP LOCKED: two nodes claiming at once take different messages instead of waiting on each other;
  // the lease (next_attempt_at pushed ahead) keeps a message from being claimed again while it is sent.
  claim:
    'UPDATE webhook_outbox SET next_attempt_at = $2 WHERE id IN (' +
    'SELECT id FROM webhook_outbox WHERE next_attempt_at <= $1 AND delivered_at IS NULL AND gave_up_at IS NULL ' +
    'ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) ' +
    'RETURNING id::int AS id, event_id AS "eventId", type, body, attempts, created_at AS "createdAt"',
  delivered: 'UPDATE webhook_outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1',
  failed: 'UPDATE webhook_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at), gave_up_at = $4 WHERE id = $1',
  states:
    'SELECT event_id AS "eventId", type, attempts, next_attempt_at AS "nextAttemptAt", delivered_at AS "deliveredAt", gave_up_at AS "gaveUpAt", last_error AS "lastError" ' +
    'FROM webhook_outbox ORDER BY id LIMIT $1',
} as const;

/** The webhook outbox on PostgreSQL (table `webhook_outbox`). */
export class PostgresWebhookOutbox implements WebhookOutboxStore {
  constructor(private readonly pool: Pool) {}

  async claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const result = await this.pool.query<OutboxMessage>({ text: SQL.claim, values: [now, now + leaseMs, Math.max(0, limit)] });
    return result.rows.sort((a, b) => a.id - b.id);
  }

  async delivered(id: number, at: number): Promise<void> {
    await this.pool.query({ text: SQL.delivered, values: [id, at] });
  }

  async failed(id: number, at: number, error: string, nextAttemptAt: number | null): Promise<void> {
    await this.pool.query({ text: SQL.failed, values: [id, error.slice(0, 500), nextAttemptAt, nextAttemptAt === null ? at : null] });
  }

  async states(limit: number): Promise<OutboxState[]> {
    return (await this.pool.query<OutboxState>({ text: SQL.states, values: [Math.max(0, limit)] })).rows;
  }
}
