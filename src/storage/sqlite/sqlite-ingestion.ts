import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Product, Subscriber } from '../../data/model';
import {
  idsOf,
  planPatchBatch,
  productPatchOutcome,
  subscriberPatchOutcome,
  type IncompleteRecordPolicy,
  type PatchBatchResult,
  type ProductPatch,
  type SubscriberPatch,
} from '../../data/patches';
import { anonymousIdsOf, cartKey, keysTouchedBy, planEventBatch, type EventBatchResult, type EventBatchSnapshot, type SubscriberEvent } from '../../data/subscriber-events';
import type { Ingestion, PatchBatchOptions } from '../ports/ingestion';
import type { SqliteIdentity } from './sqlite-identity';
import { restockNotifier } from './sqlite-notify-requests';
import type { SqliteRecords } from './sqlite-records';

const SQL = {
  isEventProcessed: 'SELECT 1 AS present FROM ingested_events WHERE id = ?',
  recordEvent: 'INSERT INTO ingested_events (id, subscriber_id, type, occurred_at, received_at) VALUES (?, ?, ?, ?, ?)',
  cartChangedAt: 'SELECT occurred_at FROM cart_event_times WHERE subscriber_id = ? AND product_id = ?',
  setCartChangedAt: `
    INSERT INTO cart_event_times (subscriber_id, product_id, occurred_at) VALUES (?, ?, ?)
    ON CONFLICT (subscriber_id, product_id) DO UPDATE SET occurred_at = excluded.occurred_at`,
} as const;

/**
 * Ingestion on SQLite: each batch loads what it touches, plans and writes in
 * ONE immediate transaction, so no other writer (an import in another
 * process) slips in between reading the stored `updatedAt` and writing. With
 * WAL and synchronous=FULL, when a method resolves the batch is on disk:
 * that is what lets the API answer 2xx only for committed writes.
 *
 * The transaction is synchronous on purpose: better-sqlite3 shares one
 * connection with the whole process, and an `await` inside an open
 * transaction would let any other statement of the process (an open's read,
 * the render log's insert) run inside it.
 */
export class SqliteIngestion implements Ingestion {
  private readonly stmtIsEventProcessed: Statement<[string], { present: number }>;
  private readonly stmtRecordEvent: Statement<[string, string, string, string, string]>;
  private readonly stmtCartChangedAt: Statement<[string, string], { occurred_at: string }>;
  private readonly stmtSetCartChangedAt: Statement<[string, string, string]>;
  private readonly productsTx: Transaction<(patches: readonly ProductPatch[], now: Date, policy: IncompleteRecordPolicy) => PatchBatchResult>;
  private readonly subscribersTx: Transaction<(patches: readonly SubscriberPatch[], now: Date, policy: IncompleteRecordPolicy) => PatchBatchResult>;
  private readonly eventsTx: Transaction<(events: readonly SubscriberEvent[], now: Date) => EventBatchResult>;
  private readonly upsertProductsTx: (products: readonly Product[]) => void;
  private readonly upsertSubscribersTx: (subscribers: readonly Subscriber[]) => void;

  constructor(
    db: Database,
    private readonly records: SqliteRecords,
    private readonly identity: SqliteIdentity,
  ) {
    this.stmtIsEventProcessed = db.prepare(SQL.isEventProcessed);
    this.stmtRecordEvent = db.prepare(SQL.recordEvent);
    this.stmtCartChangedAt = db.prepare(SQL.cartChangedAt);
    this.stmtSetCartChangedAt = db.prepare(SQL.setCartChangedAt);
    const notifyRestocks = restockNotifier(db);

    this.productsTx = db.transaction((patches, now, policy) => {
      const stored = loadById(idsOf(patches), (id) => records.readProduct(id));
      const { toWrite, result } = planPatchBatch(patches, stored, (current, patch) => productPatchOutcome(current, patch, now), policy);
      for (const product of toWrite) records.writeProduct(product);
      // In the same transaction: a restock is announced (webhook outbox) exactly when it is written.
      notifyRestocks(stored, toWrite, now);
      return result;
    });
    this.subscribersTx = db.transaction((patches, now, policy) => {
      const stored = loadById(idsOf(patches), (id) => records.readSubscriber(id));
      const { toWrite, result } = planPatchBatch(patches, stored, (current, patch) => subscriberPatchOutcome(current, patch, now), policy);
      for (const subscriber of toWrite) records.writeSubscriber(subscriber);
      return result;
    });
    this.eventsTx = db.transaction((events, now) => {
      const plan = planEventBatch(events, this.loadEventSnapshot(events));
      const receivedAt = now.toISOString();
      for (const event of plan.processed) this.stmtRecordEvent.run(event.id, event.subscriberId, event.type, event.occurredAt, receivedAt);
      for (const change of plan.cartChanges) this.stmtSetCartChangedAt.run(change.subscriberId, change.productId, change.occurredAt);
      for (const subscriber of plan.subscribers) records.writeSubscriber(subscriber);
      identity.writeLinks(plan.links);
      identity.forgetKept(plan.mergedAnonymousIds);
      identity.keep(plan.anonymousEvents, receivedAt);
      identity.setEntryTimes(plan.entryTimes);
      return plan.result;
    });
    // One transaction per batch: all rows land or none do, and one fsync per batch instead of one per row.
    this.upsertProductsTx = db.transaction((products: readonly Product[]) => {
      for (const product of products) records.writeProduct(product);
    });
    this.upsertSubscribersTx = db.transaction((subscribers: readonly Subscriber[]) => {
      for (const subscriber of subscribers) records.writeSubscriber(subscriber);
    });
  }

  // `.immediate()`: take the write lock before the first read. A deferred
  // transaction that reads and then writes fails with SQLITE_BUSY if another
  // connection (an import) committed in between; immediate waits its turn.
  async applyProductPatches(patches: readonly ProductPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    return this.productsTx.immediate(patches, options.now, options.onIncomplete);
  }

  async applySubscriberPatches(patches: readonly SubscriberPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    return this.subscribersTx.immediate(patches, options.now, options.onIncomplete);
  }

  async applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult> {
    return this.eventsTx.immediate(events, options.now);
  }

  async upsertProducts(products: readonly Product[]): Promise<void> {
    if (products.length > 0) this.upsertProductsTx(products);
  }

  async upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
    if (subscribers.length > 0) this.upsertSubscribersTx(subscribers);
  }

  async countProducts(): Promise<number> {
    return this.records.countProducts();
  }

  private loadEventSnapshot(events: readonly SubscriberEvent[]): EventBatchSnapshot {
    const links = this.identity.linksOf(anonymousIdsOf(events));
    const keys = keysTouchedBy(events, links);
    const identified = this.identity.timesOf(keys.identified.subscriberIds);
    const cartChangedAt = identified.cartTimes;
    for (const { subscriberId, productId } of keys.cartProducts) {
      const occurredAt = this.stmtCartChangedAt.get(subscriberId, productId)?.occurred_at;
      if (occurredAt !== undefined) cartChangedAt.set(cartKey(subscriberId, productId), occurredAt);
    }
    return {
      processedIds: new Set(keys.eventIds.filter((id) => this.stmtIsEventProcessed.get(id) !== undefined || this.identity.isKept(id))),
      subscribers: loadById(keys.subscriberIds, (id) => this.records.readSubscriber(id)),
      cartChangedAt,
      links,
      anonymousHistory: this.identity.keptEventsOf(keys.identified.anonymousIds),
      entryTimes: identified.entryTimes,
    };
  }
}

/** The stored records among `ids`, by id. */
function loadById<T>(ids: readonly string[], read: (id: string) => T | undefined): Map<string, T> {
  const found = new Map<string, T>();
  for (const id of ids) {
    const record = read(id);
    if (record !== undefined) found.set(id, record);
  }
  return found;
}
