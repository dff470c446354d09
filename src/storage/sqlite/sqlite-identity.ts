import type { Database, Statement } from 'better-sqlite3';
import type { AnonymousEvent, TimedList } from '../../identity/merge-history';
import { cartKey, entryKey, type IdentityLink } from '../../data/subscriber-events';
import type { IdentityStore } from '../ports/identity';

const SQL = {
  link: 'SELECT subscriber_id FROM identity_links WHERE anonymous_id = ?',
  anonymousIdsOf: 'SELECT anonymous_id FROM identity_links WHERE subscriber_id = ? ORDER BY linked_at, anonymous_id',
  insertLink: 'INSERT INTO identity_links (anonymous_id, subscriber_id, linked_at, event_id) VALUES (?, ?, ?, ?) ON CONFLICT (anonymous_id) DO NOTHING',
  isKept: 'SELECT 1 AS present FROM anonymous_events WHERE id = ?',
  keptOf: 'SELECT event FROM anonymous_events WHERE anonymous_id = ?',
  keep: 'INSERT INTO anonymous_events (id, anonymous_id, occurred_at, received_at, event) VALUES (?, ?, ?, ?, ?)',
  forgetKept: 'DELETE FROM anonymous_events WHERE anonymous_id = ?',
  entryTimesOf: 'SELECT list, product_id, occurred_at FROM profile_entry_times WHERE subscriber_id = ?',
  viewersOf: "SELECT subscriber_id FROM profile_entry_times WHERE occurred_at >= ? AND list = 'views' AND product_id = ? ORDER BY subscriber_id",
  cartTimesOf: 'SELECT product_id, occurred_at FROM cart_event_times WHERE subscriber_id = ?',
  setEntryTime: `
    INSERT INTO profile_entry_times (subscriber_id, list, product_id, occurred_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (subscriber_id, list, product_id) DO UPDATE SET occurred_at = excluded.occurred_at`,
} as const;

/**
 * The identity tables on SQLite: the read port, and the synchronous reads
 * and writes the ingestion transaction makes (sqlite-ingestion.ts), which
 * must run inside that one immediate transaction.
 */
export class SqliteIdentity implements IdentityStore {
  private readonly stmt: { [Name in keyof typeof SQL]: Statement };

  constructor(db: Database) {
    this.stmt = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as { [Name in keyof typeof SQL]: Statement };
  }

  async subscriberIdFor(anonymousId: string): Promise<string | undefined> {
    return this.linkOf(anonymousId);
  }

  async subscriberIdsFor(anonymousIds: readonly string[]): Promise<Map<string, string>> {
    return this.linksOf(anonymousIds);
  }

  async anonymousIdsOf(subscriberId: string): Promise<string[]> {
    return (this.stmt.anonymousIdsOf.all(subscriberId) as { anonymous_id: string }[]).map((row) => row.anonymous_id);
  }

  async viewersOf(productId: string, since: Date): Promise<string[]> {
    return (this.stmt.viewersOf.all(since.toISOString(), productId) as { subscriber_id: string }[]).map((row) => row.subscriber_id);
  }

  linkOf(anonymousId: string): string | undefined {
    return (this.stmt.link.get(anonymousId) as { subscriber_id: string } | undefined)?.subscriber_id;
  }

  linksOf(anonymousIds: readonly string[]): Map<string, string> {
    const links = new Map<string, string>();
    for (const anonymousId of new Set(anonymousIds)) {
      const subscriberId = this.linkOf(anonymousId);
      if (subscriberId !== undefined) links.set(anonymousId, subscriberId);
    }
    return links;
  }

  /** Whether an event id is kept for an anonymous id (it counts as processed). */
  isKept(eventId: string): boolean {
    return this.stmt.isKept.get(eventId) !== undefined;
  }

  keptEventsOf(anonymousIds: readonly string[]): Map<string, AnonymousEvent[]> {
    const kept = new Map<string, AnonymousEvent[]>();
    for (const anonymousId of new Set(anonymousIds)) {
      const events = (this.stmt.keptOf.all(anonymousId) as { event: string }[]).map((row) => JSON.parse(row.event) as AnonymousEvent);
      if (events.length > 0) kept.set(anonymousId, events);
    }
    return kept;
  }

  /** Every view, purchase and cart time of the subscribers, by entryKey and cartKey. */
  timesOf(subscriberIds: readonly string[]): { entryTimes: Map<string, string>; cartTimes: Map<string, string> } {
    const entryTimes = new Map<string, string>();
    const cartTimes = new Map<string, string>();
    for (const subscriberId of new Set(subscriberIds)) {
      for (const row of this.stmt.entryTimesOf.all(subscriberId) as { list: TimedList; product_id: string; occurred_at: string }[]) {
        entryTimes.set(entryKey(subscriberId, row.list, row.product_id), row.occurred_at);
      }
      for (const row of this.stmt.cartTimesOf.all(subscriberId) as { product_id: string; occurred_at: string }[]) {
        cartTimes.set(cartKey(subscriberId, row.product_id), row.occurred_at);
      }
    }
    return { entryTimes, cartTimes };
  }

  writeLinks(links: readonly IdentityLink[]): void {
    for (const link of links) this.stmt.insertLink.run(link.anonymousId, link.subscriberId, link.linkedAt, link.eventId);
  }

  keep(events: readonly AnonymousEvent[], receivedAt: string): void {
    for (const event of events) this.stmt.keep.run(event.id, event.anonymousId, event.occurredAt, receivedAt, JSON.stringify(event));
  }

  forgetKept(anonymousIds: readonly string[]): void {
    for (const anonymousId of anonymousIds) this.stmt.forgetKept.run(anonymousId);
  }

  setEntryTimes(times: readonly { subscriberId: string; list: TimedList; productId: string; occurredAt: string }[]): void {
    for (const time of times) this.stmt.setEntryTime.run(time.subscriberId, time.list, time.productId, time.occurredAt);
  }
}
