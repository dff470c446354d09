import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { OutboxMessage, OutboxState, WebhookOutboxStore } from '../ports/webhook-outbox';

interface MessageRow {
  id: number;
  event_id: string;
  type: string;
  body: string;
  attempts: number;
  created_at: number;
}

/** The webhook outbox on SQLite (table `webhook_outbox`, migration 10). */
export class SqliteWebhookOutbox implements WebhookOutboxStore {
  private readonly claimTx: Transaction<(now: number, leaseMs: number, limit: number) => MessageRow[]>;
  private readonly stmtDelivered: Statement<[number, number]>;
  private readonly stmtFailed: Statement<[string, number | null, number | null, number]>;
  private readonly stmtStates: Statement<[number], OutboxState>;

  constructor(db: Database) {
    const stmtDue: Statement<[number, number], MessageRow> = db.prepare(
      'SELECT id, event_id, type, body, attempts, created_at FROM webhook_outbox ' +
        'WHERE next_attempt_at <= ? AND delivered_at IS NULL AND gave_up_at IS NULL ORDER BY next_attempt_at, id LIMIT ?',
    );
    const stmtLease: Statement<[number, number]> = db.prepare('UPDATE webhook_outbox SET next_attempt_at = ? WHERE id = ?');
    // Immediate: two processes claiming at once queue on the write lock, and the second sees the first's lease.
    this.claimTx = db.transaction((now: number, leaseMs: number, limit: number) => {
      const rows = stmtDue.all(now, Math.max(0, limit));
      for (const row of rows) stmtLease.run(now + leaseMs, row.id);
      return rows;
    });
    this.stmtDelivered = db.prepare('UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?');
    this.stmtFailed = db.prepare(
      'UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), gave_up_at = ? WHERE id = ?',
    );
    this.stmtStates = db.prepare(
      'SELECT event_id AS eventId, type, attempts, next_attempt_at AS nextAttemptAt, delivered_at AS deliveredAt, gave_up_at AS gaveUpAt, last_error AS lastError ' +
        'FROM webhook_outbox ORDER BY id LIMIT ?',
    );
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    return this.claimTx.immediate(now, leaseMs, limit).map((row) => ({
      id: row.id,
      eventId: row.event_id,
      type: row.type,
      body: row.body,
      attempts: row.attempts,
      createdAt: row.created_at,
    }));
  }

  async delivered(id: number, at: number): Promise<void> {
    this.stmtDelivered.run(at, id);
  }

  async failed(id: number, at: number, error: string, nextAttemptAt: number | null): Promise<void> {
    this.stmtFailed.run(error.slice(0, 500), nextAttemptAt, nextAttemptAt === null ? at : null, id);
  }

  async states(limit: number): Promise<OutboxState[]> {
    return this.stmtStates.all(Math.max(0, limit));
  }
}
