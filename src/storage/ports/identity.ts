/**
 * Which subscriber an anonymous id (a cookie or device id) belongs to
 * (docs/ARCHITECTURE.md, "Identity"). Links are written by ingestion, in the
 * transaction of the `identify` event that makes them; this port only reads.
 * Conversions and triggers resolve an anonymous id through it
 * (src/identity/resolve-identity.ts).
 *
 * Promises (test/storage/contract.ts): an anonymous id is linked to at most
 * one subscriber, for ever (the first identify wins, across processes); a
 * committed link is what the next read returns; unknown ids read as
 * undefined or are left out; every read is by key or index.
 */
export interface IdentityStore {
  /** The subscriber the anonymous id is linked to, if any. */
  subscriberIdFor(anonymousId: string): Promise<string | undefined>;
  /** The linked ones among `anonymousIds`: anonymous id → subscriber id. */
  subscriberIdsFor(anonymousIds: readonly string[]): Promise<Map<string, string>>;
  /** The anonymous ids linked to a subscriber, in the order they were linked (then by id). */
  anonymousIdsOf(subscriberId: string): Promise<string[]>;
  /**
   * The subscribers whose latest view of the product happened at or after
   * `since` (a view merged from an anonymous id counts), sorted by id: who a
   * price drop is for (triggers/catalogue-triggers.ts). Read through the
   * view times' index on time, so `since` bounds the work.
   */
  viewersOf(productId: string, since: Date): Promise<string[]>;
}
