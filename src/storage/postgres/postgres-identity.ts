import type { Pool } from 'pg';
import { cartKey, entryKey, type IdentityLink } from '../../data/subscriber-events';
import type { AnonymousEvent, TimedList } from '../../identity/merge-history';
import type { IdentityStore } from '../ports/identity';
import type { Queryable } from './rows';

/**
 * The first of the two keys of the advisory locks an event batch takes on
 * its anonymous ids (the second is the id's hashtext). Two-key locks never
 * meet the migrations' one-key lock (PostgreSQL manual, "Advisory Lock
 * Functions"). These are the bytes of "anon" read as a big-endian int4.
 */
const ANONYMOUS_ID_LOCK_SPACE = 1634627438;

const SQL = {
  links: 'SELECT anonymous_id, subscriber_id FROM identity_links WHERE anonymous_id = ANY($1::text[])',
  anonymousIdsOf: 'SELECT anonymous_id FROM identity_links WHERE subscriber_id = $1 ORDER BY linked_at, anonymous_id',
  // Sorted before locking, so two batches take their locks in one order and never wait on each other in a cycle.
  lockAnonymousIds: `SELECT count(pg_advisory_xact_lock(${ANONYMOUS_ID_LOCK_SPACE}, k.h)) FROM (SELECT DISTINCT hashtext(a) AS h FROM unnest($1::text[]) AS a ORDER BY 1) AS k`,
  keptIds: 'SELECT id FROM anonymous_events WHERE id = ANY($1::text[])',
  keptOf: 'SELECT anonymous_id, event FROM anonymous_events WHERE anonymous_id = ANY($1::text[])',
  entryTimesOf: 'SELECT subscriber_id, list, product_id, occurred_at FROM profile_entry_times WHERE subscriber_id = ANY($1::text[])',
  viewersOf: "SELECT subscriber_id FROM profile_entry_times WHERE occurred_at >= $1 AND list = 'views' AND product_id = $2 ORDER BY subscriber_id",
  cartTimesOf: 'SELECT subscriber_id, product_id, occurred_at FROM cart_event_times WHERE subscriber_id = ANY($1::text[])',
  // DO NOTHING + RETURNING, as for event ids: a row another connection wrote first comes back missing and the batch runs again.
  insertLinks:
    'INSERT INTO identity_links (anonymous_id, subscriber_id, linked_at, event_id) ' +
    'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ORDER BY 1 ON CONFLICT (anonymous_id) DO NOTHING RETURNING anonymous_id',
  keep:
    'INSERT INTO anonymous_events (id, anonymous_id, occurred_at, received_at, event) ' +
    'SELECT e.id, e.anonymous_id, e.occurred_at, $4, e.event FROM unnest($1::text[], $2::text[], $3::text[], $5::jsonb[]) AS e(id, anonymous_id, occurred_at, event) ' +
    'ORDER BY e.id COLLATE "C" ON CONFLICT (id) DO NOTHING RETURNING id',
  forgetKept: 'DELETE FROM anonymous_events WHERE anonymous_id = ANY($1::text[])',
  setEntryTimes:
    'INSERT INTO profile_entry_times (subscriber_id, list, product_id, occurred_at) ' +
    'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(subscriber_id, list, product_id, occurred_at) ' +
    'ORDER BY 1, 2, 3 ON CONFLICT (subscriber_id, list, product_id) DO UPDATE SET occurred_at = excluded.occurred_at',
} as const;

/** The read port on the pool. */
export class PostgresIdentity implements IdentityStore {
  constructor(private readonly pool: Pool) {}

  async subscriberIdFor(anonymousId: string): Promise<string | undefined> {
    return (await identityRecords.linksOf(this.pool, [anonymousId])).get(anonymousId);
  }

  async subscriberIdsFor(anonymousIds: readonly string[]): Promise<Map<string, string>> {
    return identityRecords.linksOf(this.pool, anonymousIds);
  }

  async anonymousIdsOf(subscriberId: string): Promise<string[]> {
    const result = await this.pool.query<{ anonymous_id: string }>({ text: SQL.anonymousIdsOf, values: [subscriberId] });
    return result.rows.map((row) => row.anonymous_id);
  }

  async viewersOf(productId: string, since: Date): Promise<string[]> {
    const result = await this.pool.query<{ subscriber_id: string }>({ text: SQL.viewersOf, values: [since.toISOString(), productId] });
    return result.rows.map((row) => row.subscriber_id);
  }
}

/** What the ingestion transaction (postgres-ingestion.ts) reads and writes of the identity tables, on its client. */
export const identityRecords = {
  /**
   * Serialises the batches that name one anonymous id (until COMMIT): an
   * event kept for an unlinked id and the identify that links it cannot
   * pass each other, so no kept event is left behind a link.
   */
  async lockAnonymousIds(client: Queryable, anonymousIds: readonly string[]): Promise<void> {
    if (anonymousIds.length > 0) await client.query({ text: SQL.lockAnonymousIds, values: [anonymousIds] });
  },

  async linksOf(client: Queryable, anonymousIds: readonly string[]): Promise<Map<string, string>> {
    const links = new Map<string, string>();
    if (anonymousIds.length === 0) return links;
    const result = await client.query<{ anonymous_id: string; subscriber_id: string }>({ text: SQL.links, values: [anonymousIds] });
    for (const row of result.rows) links.set(row.anonymous_id, row.subscriber_id);
    return links;
  },

  async keptIds(client: Queryable, eventIds: readonly string[]): Promise<string[]> {
    if (eventIds.length === 0) return [];
    return (await client.query<{ id: string }>({ text: SQL.keptIds, values: [eventIds] })).rows.map((row) => row.id);
  },

  async keptEventsOf(client: Queryable, anonymousIds: readonly string[]): Promise<Map<string, AnonymousEvent[]>> {
    const kept = new Map<string, AnonymousEvent[]>();
    if (anonymousIds.length === 0) return kept;
    const result = await client.query<{ anonymous_id: string; event: AnonymousEvent }>({ text: SQL.keptOf, values: [anonymousIds] });
    for (const row of result.rows) {
      const keptOfId = kept.get(row.anonymous_id);
      if (keptOfId) keptOfId.push(row.event);
      else kept.set(row.anonymous_id, [row.event]);
    }
    return kept;
  },

  /** Every view, purchase and cart time of the subscribers, by entryKey and cartKey. */
  async timesOf(client: Queryable, subscriberIds: readonly string[]): Promise<{ entryTimes: Map<string, string>; cartTimes: Map<string, string> }> {
    const entryTimes = new Map<string, string>();
    const cartTimes = new Map<string, string>();
    if (subscriberIds.length === 0) return { entryTimes, cartTimes };
    const entries = await client.query<{ subscriber_id: string; list: TimedList; product_id: string; occurred_at: string }>({ text: SQL.entryTimesOf, values: [subscriberIds] });
    for (const row of entries.rows) entryTimes.set(entryKey(row.subscriber_id, row.list, row.product_id), row.occurred_at);
    const carts = await client.query<{ subscriber_id: string; product_id: string; occurred_at: string }>({ text: SQL.cartTimesOf, values: [subscriberIds] });
    for (const row of carts.rows) cartTimes.set(cartKey(row.subscriber_id, row.product_id), row.occurred_at);
    return { entryTimes, cartTimes };
  },

  /** Resolves how many links were written: fewer than given when another connection linked one first. */
  async writeLinks(client: Queryable, links: readonly IdentityLink[]): Promise<number> {
    if (links.length === 0) return 0;
    const result = await client.query({
      text: SQL.insertLinks,
      values: [links.map((l) => l.anonymousId), links.map((l) => l.subscriberId), links.map((l) => l.linkedAt), links.map((l) => l.eventId)],
    });
    return result.rowCount ?? 0;
  },

  /** Resolves how many events were kept: fewer than given when another connection kept one first. */
  async keep(client: Queryable, events: readonly AnonymousEvent[], receivedAt: string): Promise<number> {
    if (events.length === 0) return 0;
    const result = await client.query({
      text: SQL.keep,
      values: [events.map((e) => e.id), events.map((e) => e.anonymousId), events.map((e) => e.occurredAt), receivedAt, events.map((e) => JSON.stringify(e))],
    });
    return result.rowCount ?? 0;
  },

  async forgetKept(client: Queryable, anonymousIds: readonly string[]): Promise<void> {
    if (anonymousIds.length > 0) await client.query({ text: SQL.forgetKept, values: [anonymousIds] });
  },

  async setEntryTimes(client: Queryable, times: readonly { subscriberId: string; list: TimedList; productId: string; occurredAt: string }[]): Promise<void> {
    if (times.length === 0) return;
    await client.query({
      text: SQL.setEntryTimes,
      values: [times.map((t) => t.subscriberId), times.map((t) => t.list), times.map((t) => t.productId), times.map((t) => t.occurredAt)],
    });
  },
};
