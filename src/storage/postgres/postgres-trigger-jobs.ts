import type { Pool } from 'pg';
import { inTransaction } from './connection';
import type { TriggerJob, TriggerJobOp, TriggerJobRecord, TriggerJobsApplied, TriggerJobState, TriggerJobStore } from '../ports/trigger-jobs';

const JOB_COLUMNS =
  'id, trigger_id AS "triggerId", subscriber_id AS "subscriberId", product_id AS "productId", campaign_id AS "campaignId", template, ' +
  'dedupe_key AS "dedupeKey", source_at AS "sourceAt", run_at AS "runAt", attempts, created_at AS "createdAt"';
const RECORD_COLUMNS = `${JOB_COLUMNS}, state, settled_at AS "settledAt", outcome, last_error AS "lastError", message`;

const SQL = {
  // No conflict target: the primary key (a replayed event) and the one-pending-job-per-dedupe-key index both make it a no-op.
  enqueue:
    'INSERT INTO trigger_jobs (id, trigger_id, subscriber_id, product_id, campaign_id, template, dedupe_key, state, source_at, run_at, created_at) ' +
    "VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10) ON CONFLICT DO NOTHING",
  cancel:
    "UPDATE trigger_jobs SET state = 'cancelled', settled_at = $1, outcome = $2 " +
    "WHERE subscriber_id = $3 AND state = 'pending' AND trigger_id = ANY($4::text[]) AND source_at <= $5 AND ($6::text[] IS NULL OR product_id = ANY($6::text[]))",
  // SKIP LOCKED: two nodes claiming at once take different jobs instead of waiting on each other;
  // the lease (run_at pushed ahead) keeps a job from being claimed again while it is sent.
  claim:
    'UPDATE trigger_jobs SET run_at = $2 WHERE id IN (' +
    "SELECT id FROM trigger_jobs WHERE state = 'pending' AND run_at <= $1 ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) " +
    `RETURNING ${JOB_COLUMNS}`,
  postpone: "UPDATE trigger_jobs SET run_at = $2 WHERE id = $1 AND state = 'pending'",
  settle: "UPDATE trigger_jobs SET state = $2, settled_at = $3, outcome = $4, message = $5, last_error = NULL WHERE id = $1 AND state = 'pending'",
  failed:
    "UPDATE trigger_jobs SET attempts = attempts + 1, last_error = $2, run_at = COALESCE($3, run_at), state = CASE WHEN $3::bigint IS NULL THEN 'dead' ELSE 'pending' END, " +
    "settled_at = $4 WHERE id = $1 AND state = 'pending'",
  retry: "UPDATE trigger_jobs SET state = 'pending', run_at = $2, settled_at = NULL WHERE id = $1 AND state = 'dead'",
  sentSince: "SELECT COUNT(*)::int AS count FROM trigger_jobs WHERE subscriber_id = $1 AND trigger_id = $2 AND settled_at >= $3 AND state = 'sent'",
  get: `SELECT ${RECORD_COLUMNS} FROM trigger_jobs WHERE id = $1`,
  list: `SELECT ${RECORD_COLUMNS} FROM trigger_jobs WHERE state = $1 ORDER BY COALESCE(settled_at, created_at) DESC, id LIMIT $2`,
  // SKIP LOCKED: a row being settled right now waits for a later run instead of blocking the writer.
  prune:
    'DELETE FROM trigger_jobs WHERE id IN (' +
    "SELECT id FROM trigger_jobs WHERE state IN ('sent', 'cancelled', 'suppressed') AND settled_at < $1 ORDER BY settled_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)",
} as const;

/** The triggered-send queue on PostgreSQL (table `trigger_jobs`). */
export class PostgresTriggerJobs implements TriggerJobStore {
  constructor(private readonly pool: Pool) {}

  async apply(ops: readonly TriggerJobOp[]): Promise<TriggerJobsApplied> {
    if (ops.length === 0) return { enqueued: [], cancelled: 0 };
    return inTransaction(this.pool, async (client) => {
      const applied: TriggerJobsApplied = { enqueued: [], cancelled: 0 };
      for (const step of ops) {
        if (step.op === 'enqueue') {
          const job = step.job;
          const result = await client.query({
            text: SQL.enqueue,
            values: [job.id, job.triggerId, job.subscriberId, job.productId, job.campaignId, job.template, job.dedupeKey, job.sourceAt, job.runAt, job.createdAt],
          });
          if ((result.rowCount ?? 0) > 0) applied.enqueued.push(job.id);
        } else {
          const result = await client.query({
            text: SQL.cancel,
            values: [step.at, step.reason, step.subscriberId, [...step.triggerIds], step.causedUpTo, step.productIds === null ? null : [...step.productIds]],
          });
          applied.cancelled += result.rowCount ?? 0;
        }
      }
      return applied;
    });
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<TriggerJob[]> {
    const result = await this.pool.query<TriggerJob>({ text: SQL.claim, values: [now, now + leaseMs, Math.max(0, limit)] });
    // RETURNING has no order; the lease moved run_at, so order by id (stable) after the due order the SELECT chose.
    return result.rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async postpone(id: string, runAt: number): Promise<void> {
    await this.pool.query({ text: SQL.postpone, values: [id, runAt] });
  }

  async settle(id: string, state: 'sent' | 'suppressed' | 'cancelled', at: number, outcome: string, message?: string): Promise<void> {
    await this.pool.query({ text: SQL.settle, values: [id, state, at, outcome.slice(0, 500), message ?? null] });
  }

  async failed(id: string, at: number, error: string, nextAttemptAt: number | null): Promise<void> {
    await this.pool.query({ text: SQL.failed, values: [id, error.slice(0, 500), nextAttemptAt, nextAttemptAt === null ? at : null] });
  }

  async retry(id: string, now: number): Promise<boolean> {
    return ((await this.pool.query({ text: SQL.retry, values: [id, now] })).rowCount ?? 0) > 0;
  }

  async sentSince(subscriberId: string, triggerId: string, since: number): Promise<number> {
    return (await this.pool.query<{ count: number }>({ text: SQL.sentSince, values: [subscriberId, triggerId, since] })).rows[0]?.count ?? 0;
  }

  async get(id: string): Promise<TriggerJobRecord | undefined> {
    return (await this.pool.query<TriggerJobRecord>({ text: SQL.get, values: [id] })).rows[0];
  }

  async list(state: TriggerJobState, limit: number): Promise<TriggerJobRecord[]> {
    return (await this.pool.query<TriggerJobRecord>({ text: SQL.list, values: [state, Math.max(0, limit)] })).rows;
  }

  async pruneSettled(before: number, limit: number): Promise<number> {
    return (await this.pool.query({ text: SQL.prune, values: [before, Math.max(0, limit)] })).rowCount ?? 0;
  }
}
