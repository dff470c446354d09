import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { TriggerJob, TriggerJobOp, TriggerJobRecord, TriggerJobsApplied, TriggerJobState, TriggerJobStore } from '../ports/trigger-jobs';

const JOB_COLUMNS =
  'id, trigger_id AS triggerId, subscriber_id AS subscriberId, product_id AS productId, campaign_id AS campaignId, template, ' +
  'dedupe_key AS dedupeKey, source_at AS sourceAt, run_at AS runAt, attempts, created_at AS createdAt';
const RECORD_COLUMNS = `${JOB_COLUMNS}, state, settled_at AS settledAt, outcome, last_error AS lastError, message`;

/** The triggered-send queue on SQLite (table `trigger_jobs`, migration 14). */
export class SqliteTriggerJobs implements TriggerJobStore {
  private readonly applyTx: Transaction<(ops: readonly TriggerJobOp[]) => TriggerJobsApplied>;
  private readonly claimTx: Transaction<(now: number, leaseMs: number, limit: number) => TriggerJob[]>;
  private readonly stmtPostpone: Statement<[number, string]>;
  private readonly stmtSettle: Statement<[string, number, string, string | null, string]>;
  private readonly stmtFailed: Statement<[string, number | null, number | null, number | null, string]>;
  private readonly stmtRetry: Statement<[number, string]>;
  private readonly stmtSentSince: Statement<[string, string, number], { count: number }>;
  private readonly stmtGet: Statement<[string], TriggerJobRecord>;
  private readonly stmtList: Statement<[string, number], TriggerJobRecord>;
  private readonly stmtPrune: Statement<[number, number]>;

  constructor(db: Database) {
    // OR IGNORE: the primary key (a replayed event) and the one-pending-job-per-dedupe-key index both make it a no-op.
    const stmtEnqueue = db.prepare<[string, string, string, string | null, string, string, string, number, number, number]>(
      'INSERT OR IGNORE INTO trigger_jobs (id, trigger_id, subscriber_id, product_id, campaign_id, template, dedupe_key, state, source_at, run_at, created_at) ' +
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
    );
    const stmtCancel = db.prepare<[number, string, string, string, number, string | null, string | null]>(
      "UPDATE trigger_jobs SET state = 'cancelled', settled_at = ?, outcome = ? " +
        "WHERE subscriber_id = ? AND state = 'pending' AND trigger_id IN (SELECT value FROM json_each(?)) AND source_at <= ? " +
        'AND (? IS NULL OR product_id IN (SELECT value FROM json_each(?)))',
    );
    this.applyTx = db.transaction((ops: readonly TriggerJobOp[]) => {
      const applied: TriggerJobsApplied = { enqueued: [], cancelled: 0 };
      for (const step of ops) {
        if (step.op === 'enqueue') {
          const job = step.job;
          const result = stmtEnqueue.run(job.id, job.triggerId, job.subscriberId, job.productId, job.campaignId, job.template, job.dedupeKey, job.sourceAt, job.runAt, job.createdAt);
          if (result.changes > 0) applied.enqueued.push(job.id);
        } else {
          const products = step.productIds === null ? null : JSON.stringify(step.productIds);
          applied.cancelled += stmtCancel.run(step.at, step.reason, step.subscriberId, JSON.stringify(step.triggerIds), step.causedUpTo, products, products).changes;
        }
      }
      return applied;
    });
    const stmtDue: Statement<[number, number], TriggerJob> = db.prepare(
      `SELECT ${JOB_COLUMNS} FROM trigger_jobs WHERE state = 'pending' AND run_at <= ? ORDER BY run_at, id LIMIT ?`,
    );
    const stmtLease: Statement<[number, string]> = db.prepare('UPDATE trigger_jobs SET run_at = ? WHERE id = ?');
    // Immediate: two processes claiming at once queue on the write lock, and the second sees the first's lease.
    this.claimTx = db.transaction((now: number, leaseMs: number, limit: number) => {
      const rows = stmtDue.all(now, Math.max(0, limit));
      for (const row of rows) stmtLease.run(now + leaseMs, row.id);
      return rows;
    });
    this.stmtPostpone = db.prepare("UPDATE trigger_jobs SET run_at = ? WHERE id = ? AND state = 'pending'");
    this.stmtSettle = db.prepare("UPDATE trigger_jobs SET state = ?, settled_at = ?, outcome = ?, message = ?, last_error = NULL WHERE id = ? AND state = 'pending'");
    this.stmtFailed = db.prepare(
      "UPDATE trigger_jobs SET attempts = attempts + 1, last_error = ?, run_at = COALESCE(?, run_at), state = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END, " +
        "settled_at = ? WHERE id = ? AND state = 'pending'",
    );
    this.stmtRetry = db.prepare("UPDATE trigger_jobs SET state = 'pending', run_at = ?, settled_at = NULL WHERE id = ? AND state = 'dead'");
    this.stmtSentSince = db.prepare(
      "SELECT COUNT(*) AS count FROM trigger_jobs WHERE subscriber_id = ? AND trigger_id = ? AND settled_at >= ? AND state = 'sent'",
    );
    this.stmtGet = db.prepare(`SELECT ${RECORD_COLUMNS} FROM trigger_jobs WHERE id = ?`);
    this.stmtPrune = db.prepare(
      'DELETE FROM trigger_jobs WHERE id IN (' +
        "SELECT id FROM trigger_jobs WHERE state IN ('sent', 'cancelled', 'suppressed') AND settled_at < ? ORDER BY settled_at, id LIMIT ?)",
    );
    this.stmtList = db.prepare(`SELECT ${RECORD_COLUMNS} FROM trigger_jobs WHERE state = ? ORDER BY COALESCE(settled_at, created_at) DESC, id LIMIT ?`);
  }

  async apply(ops: readonly TriggerJobOp[]): Promise<TriggerJobsApplied> {
    if (ops.length === 0) return { enqueued: [], cancelled: 0 };
    return this.applyTx.immediate(ops);
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<TriggerJob[]> {
    return this.claimTx.immediate(now, leaseMs, limit);
  }

  async postpone(id: string, runAt: number): Promise<void> {
    this.stmtPostpone.run(runAt, id);
  }

  async settle(id: string, state: 'sent' | 'suppressed' | 'cancelled', at: number, outcome: string, message?: string): Promise<void> {
    this.stmtSettle.run(state, at, outcome.slice(0, 500), message ?? null, id);
  }

  async failed(id: string, at: number, error: string, nextAttemptAt: number | null): Promise<void> {
    // A dead letter's settled_at is when it was given up.
    this.stmtFailed.run(error.slice(0, 500), nextAttemptAt, nextAttemptAt, nextAttemptAt === null ? at : null, id);
  }

  async retry(id: string, now: number): Promise<boolean> {
    return this.stmtRetry.run(now, id).changes > 0;
  }

  async sentSince(subscriberId: string, triggerId: string, since: number): Promise<number> {
    return this.stmtSentSince.get(subscriberId, triggerId, since)?.count ?? 0;
  }

  async get(id: string): Promise<TriggerJobRecord | undefined> {
    return this.stmtGet.get(id);
  }

  async list(state: TriggerJobState, limit: number): Promise<TriggerJobRecord[]> {
    return this.stmtList.all(state, Math.max(0, limit));
  }

  async pruneSettled(before: number, limit: number): Promise<number> {
    return this.stmtPrune.run(before, Math.max(0, limit)).changes;
  }
}
