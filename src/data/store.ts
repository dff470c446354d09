import type { Campaign, Product, Subscriber } from './model';
import type { IncompleteRecordPolicy, PatchBatchResult, ProductPatch, SubscriberPatch } from './patches';
import type { EventBatchResult, SubscriberEvent } from './subscriber-events';

/** What one image render showed a subscriber: the link behind each slot (see blocks/slots.ts). */
export interface Impression {
  subscriberId: string;
  campaignId: string;
  blockId: string;
  /** Slot i → the URL of what was drawn there. */
  urls: string[];
  /** ISO 8601 time of the render. */
  renderedAt: string;
}

/**
 * Everything an open reads and the ingestion path writes. Async on purpose:
 * the embedded SQLite store answers synchronously, but a networked database
 * must be able to implement the same interface.
 */
export interface Store {
  getProduct(id: string): Promise<Product | undefined>;
  /** Products by id, in the order asked; unknown ids are left out. */
  getProducts(ids: readonly string[]): Promise<Product[]>;
  /**
   * In-stock products of a category, most popular first, excluding the given
   * ids. Must be served by an index: its cost may not grow with catalogue size.
   */
  bestSellersInCategory(category: string, limit: number, excludeIds?: readonly string[]): Promise<Product[]>;
  /** In-stock products across the catalogue, most popular first (index-served). */
  bestSellers(limit: number, excludeIds?: readonly string[]): Promise<Product[]>;
  getSubscriber(id: string): Promise<Subscriber | undefined>;
  getCampaign(id: string): Promise<Campaign | undefined>;

  upsertProducts(products: readonly Product[]): Promise<void>;
  upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void>;
  upsertCampaigns(campaigns: readonly Campaign[]): Promise<void>;
  countProducts(): Promise<number>;

  /**
   * Ingestion (issue 5): partial updates in one transaction. Fields a patch
   * leaves out keep their stored value; a patch older than the stored
   * `updatedAt` is reported stale and not applied; a new record without its
   * required fields is reported incomplete and, under `abort`, nothing at all
   * is written. Resolves only once the transaction is committed.
   */
  applyProductPatches(patches: readonly ProductPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult>;
  applySubscriberPatches(patches: readonly SubscriberPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult>;
  /**
   * Behaviour events, in one transaction with the record of their ids: an id
   * seen before is reported as a duplicate and not applied again.
   */
  applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult>;

  /**
   * Stores what image renders showed (click-through, issue 3), all in one
   * transaction. Keeps only the latest impression per subscriber, campaign and
   * block: an older one never replaces a newer one.
   */
  recordImpressions(impressions: readonly Impression[]): Promise<void>;
  /** The latest impression of a block for a subscriber in a campaign. */
  getImpression(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined>;

  close(): Promise<void>;
}

/**
 * Housekeeping of what opens and ingestion leave behind, for retention
 * (render-log/retention.ts). Each call deletes at most `limit` rows, oldest
 * first, so the write lock is short; it resolves to how many.
 */
export interface ExpiringRecordsStore {
  /** Impressions rendered before `before`: a click on them opens what the block shows at the click instead. */
  pruneImpressions(before: Date, limit: number): Promise<number>;
  /** Ids of events received before `before`: a replay older than that is no longer recognised as one. */
  pruneIngestedEvents(before: Date, limit: number): Promise<number>;
  /**
   * When each subscriber's cart last changed per product, for changes before
   * `before`: a cart event older than that, delivered after it, is applied as
   * if nothing later had happened (as a replayed event id older than the
   * floor is; webhooks are retried for days, not a month).
   */
  pruneCartEventTimes(before: Date, limit: number): Promise<number>;
}
