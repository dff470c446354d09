import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Product, Subscriber } from './model';
import {
  planPatchBatch,
  productPatchOutcome,
  subscriberPatchOutcome,
  type IncompleteRecordPolicy,
  type PatchBatchResult,
  type ProductPatch,
  type SubscriberPatch,
} from './patches';
import { planEventBatch, type EventBatchResult, type SubscriberEvent } from './subscriber-events';

/** Row access the SqliteStore lends: it alone knows the products and subscribers columns. */
export interface RecordAccess {
  readProduct(id: string): Product | undefined;
  writeProduct(product: Product): void;
  readSubscriber(id: string): Subscriber | undefined;
  writeSubscriber(subscriber: Subscriber): void;
}

const SQL = {
  isEventProcessed: 'SELECT 1 AS present FROM ingested_events WHERE id = ?',
  recordEvent:
    'INSERT INTO ingested_events (id, subscriber_id, type, occurred_at, received_at) VALUES (?, ?, ?, ?, ?)',
  pruneEvents: 'DELETE FROM ingested_events WHERE id IN (SELECT id FROM ingested_events WHERE received_at < ? ORDER BY received_at LIMIT ?)',
  cartChangedAt: 'SELECT occurred_at FROM cart_event_times WHERE subscriber_id = ? AND product_id = ?',
  // Times are ISO 8601 as the source sent them (zones included): compared as text, off by at most the zone offset, hours against a 32-day floor.
  pruneCartTimes: `
    DELETE FROM cart_event_times WHERE (subscriber_id, product_id) IN
      (SELECT subscriber_id, product_id FROM cart_event_times WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?)`,
  setCartChangedAt: `
    INSERT INTO cart_event_times (subscriber_id, product_id, occurred_at) VALUES (?, ?, ?)
    ON CONFLICT (subscriber_id, product_id) DO UPDATE SET occurred_at = excluded.occurred_at`,
} as const;

/**
 * The write side of ingestion on SQLite: each batch is planned and written in
 * ONE immediate transaction (reads included, so no other writer slips in
 * between reading the stored `updatedAt` and writing). The store runs with
 * WAL and synchronous=FULL, so when a method returns, the batch is on disk:
 * that is what lets the API answer 2xx only for committed writes.
 */
export class SqliteIngest {
  private readonly stmtIsEventProcessed: Statement<[string], { present: number }>;
  private readonly stmtRecordEvent: Statement<[string, string, string, string, string]>;
  private readonly stmtPruneEvents: Statement<[string, number]>;
  private readonly stmtCartChangedAt: Statement<[string, string], { occurred_at: string }>;
  private readonly stmtSetCartChangedAt: Statement<[string, string, string]>;
  private readonly stmtPruneCartTimes: Statement<[string, number]>;
  private readonly productsTx: Transaction<(patches: readonly ProductPatch[], now: Date, policy: IncompleteRecordPolicy) => PatchBatchResult>;
  private readonly subscribersTx: Transaction<(patches: readonly SubscriberPatch[], now: Date, policy: IncompleteRecordPolicy) => PatchBatchResult>;
  private readonly eventsTx: Transaction<(events: readonly SubscriberEvent[], now: Date) => EventBatchResult>;

  constructor(db: Database, records: RecordAccess) {
    this.stmtIsEventProcessed = db.prepare(SQL.isEventProcessed);
    this.stmtRecordEvent = db.prepare(SQL.recordEvent);
    this.stmtPruneEvents = db.prepare(SQL.pruneEvents);
    this.stmtCartChangedAt = db.prepare(SQL.cartChangedAt);
    this.stmtSetCartChangedAt = db.prepare(SQL.setCartChangedAt);
    this.stmtPruneCartTimes = db.prepare(SQL.pruneCartTimes);

    this.productsTx = db.transaction((patches, now, policy) => {
      const { toWrite, result } = planPatchBatch(patches, records.readProduct, (stored, patch) => productPatchOutcome(stored, patch, now), policy);
      for (const product of toWrite) records.writeProduct(product);
      return result;
    });
    this.subscribersTx = db.transaction((patches, now, policy) => {
      const { toWrite, result } = planPatchBatch(patches, records.readSubscriber, (stored, patch) => subscriberPatchOutcome(stored, patch, now), policy);
      for (const subscriber of toWrite) records.writeSubscriber(subscriber);
      return result;
    });
    this.eventsTx = db.transaction((events, now) => {
      const plan = planEventBatch(events, {
        isProcessed: (id) => this.stmtIsEventProcessed.get(id) !== undefined,
        readSubscriber: records.readSubscriber,
        cartChangedAt: (subscriberId, productId) => this.stmtCartChangedAt.get(subscriberId, productId)?.occurred_at,
      });
      const receivedAt = now.toISOString();
      for (const event of plan.processed) this.stmtRecordEvent.run(event.id, event.subscriberId, event.type, event.occurredAt, receivedAt);
      for (const change of plan.cartChanges) this.stmtSetCartChangedAt.run(change.subscriberId, change.productId, change.occurredAt);
      for (const subscriber of plan.subscribers) records.writeSubscriber(subscriber);
      return plan.result;
    });
  }

  // `.immediate()`: take the write lock before the first read. A deferred
  // transaction that reads and then writes fails with SQLITE_BUSY if another
  // connection (an import) committed in between; immediate waits its turn.
  applyProductPatches(patches: readonly ProductPatch[], now: Date, policy: IncompleteRecordPolicy): PatchBatchResult {
    return this.productsTx.immediate(patches, now, policy);
  }

  applySubscriberPatches(patches: readonly SubscriberPatch[], now: Date, policy: IncompleteRecordPolicy): PatchBatchResult {
    return this.subscribersTx.immediate(patches, now, policy);
  }

  /** Forgets at most `limit` event ids received before `before`; returns how many. */
  pruneEventIds(before: Date, limit: number): number {
    return this.stmtPruneEvents.run(before.toISOString(), limit).changes;
  }

  /** Forgets at most `limit` cart change times of changes made before `before`; returns how many. */
  pruneCartTimes(before: Date, limit: number): number {
    return this.stmtPruneCartTimes.run(before.toISOString(), limit).changes;
  }

  applySubscriberEvents(events: readonly SubscriberEvent[], now: Date): EventBatchResult {
    return this.eventsTx.immediate(events, now);
  }
}
