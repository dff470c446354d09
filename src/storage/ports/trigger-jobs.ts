/** How a triggered send stands. */
export type TriggerJobState = 'pending' | 'sent' | 'cancelled' | 'suppressed' | 'dead';

/** A message a trigger decided to send, as the queue keeps it (triggers/, README "Triggered sends"). */
export interface TriggerJob {
  /** `<trigger>:<event id>`: unique per cause, and the message's idempotency key. */
  id: string;
  triggerId: string;
  subscriberId: string;
  /** The event's product, when it names one (cancel conditions and the in-cart check match on it). */
  productId: string | null;
  campaignId: string;
  template: string;
  /** At most one pending job per key (e.g. trigger + subscriber + product). */
  dedupeKey: string;
  /** When the causing event happened at the source (epoch ms). */
  sourceAt: number;
  /** When it is due (epoch ms). */
  runAt: number;
  /** Failed send attempts so far. */
  attempts: number;
  createdAt: number;
}

/** A job with how it settled, for the API and tests. */
export interface TriggerJobRecord extends TriggerJob {
  state: TriggerJobState;
  settledAt: number | null;
  /** Why it was cancelled or suppressed, or the transport's answer when sent. */
  outcome: string | null;
  lastError: string | null;
  /** The message itself, kept only when no transport is configured (the log outbox). */
  message: string | null;
}

/** One step of applying a batch of events to the queue, in the events' order. */
export type TriggerJobOp =
  | { op: 'enqueue'; job: Omit<TriggerJob, 'attempts'> }
  | {
      op: 'cancel';
      subscriberId: string;
      triggerIds: readonly string[];
      /** Only jobs for these products; null: every product. */
      productIds: readonly string[] | null;
      /** Only jobs caused by events that happened at or before this time (epoch ms). */
      causedUpTo: number;
      at: number;
      reason: string;
    };

export interface TriggerJobsApplied {
  /** Ids of the jobs written (a replayed event or a pending job with the same dedupe key writes none). */
  enqueued: string[];
  cancelled: number;
}

/**
 * The durable queue of triggered sends. Every process may run a worker on it.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - `apply` runs its steps in order in one transaction; an enqueue whose id
 *   exists (whatever its state) or whose dedupe key has a pending job writes
 *   nothing; a cancel settles matching pending jobs as `cancelled`;
 * - `claimDue` hands out pending jobs whose `runAt` ≤ now, earliest first,
 *   and pushes their `runAt` `leaseMs` later in the same statement, so two
 *   processes claiming at once never get the same job;
 * - `settle` ends a pending job (sent / suppressed); a settled job is never
 *   claimed again; `failed` counts an attempt and reschedules, or, with
 *   `nextAttemptAt` null, makes it `dead` (a dead letter);
 * - `retry` puts a dead job back to pending, due at `now`;
 * - `sentSince` counts a subscriber's jobs of one trigger sent at or after a time;
 * - `pruneSettled` deletes at most `limit` sent, cancelled or suppressed jobs settled
 *   before `before`, oldest first; pending jobs and dead letters are never deleted.
 */
export interface TriggerJobStore {
  apply(ops: readonly TriggerJobOp[]): Promise<TriggerJobsApplied>;
  claimDue(now: number, leaseMs: number, limit: number): Promise<TriggerJob[]>;
  /** Moves a claimed job's due time (quiet hours) without counting an attempt. */
  postpone(id: string, runAt: number): Promise<void>;
  settle(id: string, state: 'sent' | 'suppressed' | 'cancelled', at: number, outcome: string, message?: string): Promise<void>;
  failed(id: string, at: number, error: string, nextAttemptAt: number | null): Promise<void>;
  retry(id: string, now: number): Promise<boolean>;
  sentSince(subscriberId: string, triggerId: string, since: number): Promise<number>;
  get(id: string): Promise<TriggerJobRecord | undefined>;
  /** Jobs in one state, most recently settled (or created) first, at most `limit`. */
  list(state: TriggerJobState, limit: number): Promise<TriggerJobRecord[]>;
  /** Retention: how many were deleted. */
  pruneSettled(before: number, limit: number): Promise<number>;
}
