import type { Pool } from 'pg';
import type { Product, Subscriber } from '../../data/model';
import {
  idsOf,
  planPatchBatch,
  productPatchOutcome,
  subscriberPatchOutcome,
  type PatchBatchResult,
  type ProductPatch,
  type SubscriberPatch,
} from '../../data/patches';
import {
  anonymousIdsOf,
  cartKey,
  keysTouchedBy,
  planEventBatch,
  type CartProduct,
  type EventBatchResult,
  type ProcessedEvent,
  type SubscriberEvent,
} from '../../data/subscriber-events';
import type { Ingestion, PatchBatchOptions } from '../ports/ingestion';
import { ConcurrentWriteConflict, inTransaction } from './connection';
import { identityRecords } from './postgres-identity';
import { notifyRestocks } from './postgres-notify-requests';
import { catalogueRecords } from './postgres-records';
import type { Queryable } from './rows';

const SQL = {
  processedIds: 'SELECT id FROM ingested_events WHERE id = ANY($1::text[])',
  cartChangedAt:
    'SELECT t.subscriber_id, t.product_id, t.occurred_at FROM cart_event_times t ' +
    'JOIN unnest($1::text[], $2::text[]) AS k(subscriber_id, product_id) ON t.subscriber_id = k.subscriber_id AND t.product_id = k.product_id',
  // DO NOTHING + RETURNING: an id another connection recorded since this batch read the table
  // (the same webhook delivered to two nodes at once) comes back missing, and the batch runs
  // again, when it reads that id as a duplicate.
  recordEvents:
    'INSERT INTO ingested_events (id, subscriber_id, type, occurred_at, received_at) ' +
    'SELECT e.id, e.subscriber_id, e.type, e.occurred_at, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(id, subscriber_id, type, occurred_at) ' +
    'ORDER BY e.id COLLATE "C" ON CONFLICT (id) DO NOTHING RETURNING id',
  setCartChangedAt:
    'INSERT INTO cart_event_times (subscriber_id, product_id, occurred_at) ' +
    'SELECT c.subscriber_id, c.product_id, c.occurred_at FROM unnest($1::text[], $2::text[], $3::text[]) AS c(subscriber_id, product_id, occurred_at) ' +
    'ORDER BY c.subscriber_id COLLATE "C", c.product_id COLLATE "C" ' +
    'ON CONFLICT (subscriber_id, product_id) DO UPDATE SET occurred_at = excluded.occurred_at',
} as const;

/**
 * Ingestion on PostgreSQL (docs/ARCHITECTURE.md, "Adding a database"): each
 * batch is ONE transaction that locks what it touches, plans with the pure
 * rules of data/patches.ts and data/subscriber-events.ts exactly as the
 * SQLite adapter does, and writes the plan before it commits.
 *
 * How no other writer slips in between the read and the write:
 * - records that exist are read `SELECT … FOR UPDATE`, in id order: a second
 *   batch touching one of them waits at its read until the first commits,
 *   then reads what the first wrote (READ COMMITTED takes a new snapshot per
 *   statement; PostgreSQL manual, "Read Committed Isolation Level");
 * - records that do not exist yet cannot be locked, so they are written
 *   with `INSERT … ON CONFLICT DO NOTHING RETURNING`: when another
 *   connection created one meanwhile, fewer rows come back, the batch rolls
 *   back and runs again, and this time reads (and locks) that record. Event
 *   ids are written the same way, so a webhook delivered to two nodes at
 *   the same moment is applied once and reported as a duplicate by the other;
 * - an event batch locks its subscribers before it reads event ids and cart
 *   times, so every batch about one subscriber runs after the one before.
 *
 * With synchronous_commit on (PostgreSQL's default), COMMIT returns once the
 * batch is flushed to the write-ahead log: a method resolves only for a
 * durable batch.
 */
export class PostgresIngestion implements Ingestion {
  constructor(private readonly pool: Pool) {}

  async applyProductPatches(patches: readonly ProductPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    return inTransaction(this.pool, async (client) => {
      const stored = await catalogueRecords.lockProducts(client, idsOf(patches));
      const { toWrite, result } = planPatchBatch(patches, stored, (current, patch) => productPatchOutcome(current, patch, options.now), options.onIncomplete);
      const [existing, created] = partition(toWrite, (product) => stored.has(product.id));
      await catalogueRecords.upsertProducts(client, existing);
      if ((await catalogueRecords.insertNewProducts(client, created)) < created.length) throw new ConcurrentWriteConflict('a product this batch creates');
      // In the same transaction: a restock is announced (webhook outbox) exactly when it is written.
      await notifyRestocks(client, stored, toWrite, options.now);
      return result;
    });
  }

  async applySubscriberPatches(patches: readonly SubscriberPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    return inTransaction(this.pool, async (client) => {
      const stored = await catalogueRecords.lockSubscribers(client, idsOf(patches));
      const { toWrite, result } = planPatchBatch(patches, stored, (current, patch) => subscriberPatchOutcome(current, patch, options.now), options.onIncomplete);
      await writeSubscribers(client, toWrite, stored);
      return result;
    });
  }

  async applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult> {
    return inTransaction(this.pool, async (client) => {
      // Anonymous ids first (advisory locks, sorted), then the profiles: what is read after these
      // locks is what the previous batch about them committed.
      const anonymousIds = anonymousIdsOf(events);
      await identityRecords.lockAnonymousIds(client, anonymousIds);
      const links = await identityRecords.linksOf(client, anonymousIds);
      const keys = keysTouchedBy(events, links);
      const subscribers = await catalogueRecords.lockSubscribers(client, keys.subscriberIds);
      const identified = await identityRecords.timesOf(client, keys.identified.subscriberIds);
      const cartTimes = identified.cartTimes;
      for (const [key, occurredAt] of await cartChangedAt(client, keys.cartProducts)) cartTimes.set(key, occurredAt);
      const plan = planEventBatch(events, {
        processedIds: new Set([...(await processedIds(client, keys.eventIds)), ...(await identityRecords.keptIds(client, keys.eventIds))]),
        subscribers,
        cartChangedAt: cartTimes,
        links,
        anonymousHistory: await identityRecords.keptEventsOf(client, keys.identified.anonymousIds),
        entryTimes: identified.entryTimes,
      });
      // Tables in one fixed order (subscribers, event ids, cart times, identity), rows in key order:
      // two batches never wait on each other in a cycle.
      await writeSubscribers(client, plan.subscribers, subscribers);
      if ((await recordEvents(client, plan.processed, options.now)) < plan.processed.length) throw new ConcurrentWriteConflict('an event id of this batch');
      await setCartChangedAt(client, plan.cartChanges);
      if ((await identityRecords.writeLinks(client, plan.links)) < plan.links.length) throw new ConcurrentWriteConflict('a link of this batch');
      await identityRecords.forgetKept(client, plan.mergedAnonymousIds);
      if ((await identityRecords.keep(client, plan.anonymousEvents, options.now.toISOString())) < plan.anonymousEvents.length) {
        throw new ConcurrentWriteConflict('an anonymous event id of this batch');
      }
      await identityRecords.setEntryTimes(client, plan.entryTimes);
      return plan.result;
    });
  }

  // Whole records, one statement in one transaction. Run through inTransaction all the same: a
  // patch batch locking the same rows in another order can make PostgreSQL break a deadlock by
  // aborting this one, and then it simply runs again.
  async upsertProducts(products: readonly Product[]): Promise<void> {
    if (products.length > 0) await inTransaction(this.pool, (client) => catalogueRecords.upsertProducts(client, products));
  }

  async upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
    if (subscribers.length > 0) await inTransaction(this.pool, (client) => catalogueRecords.upsertSubscribers(client, subscribers));
  }

  async countProducts(): Promise<number> {
    return catalogueRecords.countProducts(this.pool);
  }
}

/** Rewrites the stored (and locked) records, inserts the new ones; a new one someone else created meanwhile restarts the batch. */
async function writeSubscribers(client: Queryable, toWrite: readonly Subscriber[], stored: ReadonlyMap<string, Subscriber>): Promise<void> {
  const [existing, created] = partition(toWrite, (subscriber) => stored.has(subscriber.id));
  await catalogueRecords.upsertSubscribers(client, existing);
  if ((await catalogueRecords.insertNewSubscribers(client, created)) < created.length) throw new ConcurrentWriteConflict('a subscriber this batch creates');
}

async function processedIds(client: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await client.query<{ id: string }>({ text: SQL.processedIds, values: [ids] });
  return new Set(result.rows.map((row) => row.id));
}

async function cartChangedAt(client: Queryable, keys: readonly CartProduct[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (keys.length === 0) return found;
  const result = await client.query<{ subscriber_id: string; product_id: string; occurred_at: string }>({
    text: SQL.cartChangedAt,
    values: [keys.map((key) => key.subscriberId), keys.map((key) => key.productId)],
  });
  for (const row of result.rows) found.set(cartKey(row.subscriber_id, row.product_id), row.occurred_at);
  return found;
}

/** Resolves how many ids were recorded: fewer than given when another connection recorded some first. */
async function recordEvents(client: Queryable, events: readonly ProcessedEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const result = await client.query({
    text: SQL.recordEvents,
    values: [events.map((e) => e.id), events.map((e) => e.subscriberId), events.map((e) => e.type), events.map((e) => e.occurredAt), now.toISOString()],
  });
  return result.rowCount ?? 0;
}

async function setCartChangedAt(client: Queryable, changes: readonly { subscriberId: string; productId: string; occurredAt: string }[]): Promise<void> {
  if (changes.length === 0) return;
  await client.query({
    text: SQL.setCartChangedAt,
    values: [changes.map((c) => c.subscriberId), changes.map((c) => c.productId), changes.map((c) => c.occurredAt)],
  });
}

/** [those that pass, those that do not], each in the order given. */
function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const pass: T[] = [];
  const fail: T[] = [];
  for (const item of items) (test(item) ? pass : fail).push(item);
  return [pass, fail];
}
