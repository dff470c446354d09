import type { Product, Subscriber } from '../../data/model';
import type { IncompleteRecordPolicy, PatchBatchResult, ProductPatch, SubscriberPatch } from '../../data/patches';
import type { EventBatchResult, SubscriberEvent } from '../../data/subscriber-events';

export interface PatchBatchOptions {
  now: Date;
  onIncomplete: IncompleteRecordPolicy;
}

/**
 * What the ingestion API, `opentime import` and demo seeding write into the
 * catalogue. Each batch is one transaction: the adapter loads what the batch
 * touches (the stored records, the event ids, the cart change times), plans
 * with the pure rules of data/patches.ts and data/subscriber-events.ts, and
 * writes the plan, all before the transaction commits, so no other writer,
 * in this process or another, slips in between the read and the write
 * (SQLite: one immediate transaction; a networked database: SELECT … FOR
 * UPDATE on the rows that exist, and INSERT … ON CONFLICT DO NOTHING for the
 * ones that do not yet, rerunning the batch when another writer created one
 * meanwhile).
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - a method resolves only once its batch is committed and durable, so the
 *   API answers 2xx only for writes that survive a crash; it rejects when
 *   nothing of it was written;
 * - all or nothing: a batch that fails leaves nothing of itself behind;
 * - patches: fields a patch leaves out keep their stored value; a patch
 *   older than the stored `updatedAt` is reported stale and not applied;
 *   patches of one record in one batch apply in order; a record that ends up
 *   as stored is counted unchanged and not rewritten; a new record without
 *   its required fields is reported incomplete and, under `abort`, nothing
 *   of the batch is written;
 * - events: an id seen before (in an earlier batch, in this batch, or
 *   through another process) is reported as a duplicate and not applied
 *   again; a cart change older than the latest one applied for that product
 *   is reported stale.
 */
export interface Ingestion {
  applyProductPatches(patches: readonly ProductPatch[], options: PatchBatchOptions): Promise<PatchBatchResult>;
  applySubscriberPatches(patches: readonly SubscriberPatch[], options: PatchBatchOptions): Promise<PatchBatchResult>;
  applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult>;
  /** Whole records, written as given (demo seeding, benches), in one transaction. */
  upsertProducts(products: readonly Product[]): Promise<void>;
  upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void>;
  /** How many products are stored: seeding fills only an empty catalogue. */
  countProducts(): Promise<number>;
}
