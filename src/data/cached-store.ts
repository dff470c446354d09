import { LRUCache } from 'lru-cache';
import type { Campaign, Product, Subscriber } from './model';
import type { ExpiringRecordsStore, Impression, Store } from './store';
import type { BlockLockStore, FrozenView } from './locks';
import type { ClickRecord, RenderLogStore, RenderRecord, ReportCounts } from '../render-log/render-record';
import type { IncompleteRecordPolicy, PatchBatchResult, ProductPatch, SubscriberPatch } from './patches';
import type { EventBatchResult, SubscriberEvent } from './subscriber-events';

export interface CacheOptions {
  /** Longest a cached figure may be served after it changed at the source (ms). */
  freshnessMs: number;
  /** Most records of each type held in memory. */
  maxEntries?: number;
}

/** How many best-sellers per list are cached, so per-subscriber exclusions can be filtered in memory. */
const BEST_SELLER_DEPTH = 48;

/**
 * The read path of an open goes through here. Every entry lives at most
 * `freshnessMs` (default 1 s), and every write through this store drops the
 * entries it affects at once, so a price change is visible at the next open.
 * Bounded: a campaign to millions of subscribers cannot grow it without limit.
 */
export class CachedStore implements Store, RenderLogStore, BlockLockStore, ExpiringRecordsStore {
  private readonly products: LRUCache<string, Product | false>;
  private readonly subscribers: LRUCache<string, Subscriber | false>;
  private readonly campaigns: LRUCache<string, Campaign | false>;
  private readonly bestSellerLists: LRUCache<string, Product[]>;
  /** Lookups answered from memory or not, per cache, for GET /metrics (issue 6). */
  private readonly counts = {
    products: { hits: 0, misses: 0 },
    subscribers: { hits: 0, misses: 0 },
    campaigns: { hits: 0, misses: 0 },
    bestSellers: { hits: 0, misses: 0 },
  };

  constructor(
    /** The store behind the cache; it also keeps the render log and locks (issue 6), passed through uncached. */
    private readonly inner: Store & RenderLogStore & BlockLockStore & ExpiringRecordsStore,
    options: CacheOptions,
  ) {
    const ttl = Math.max(1, options.freshnessMs);
    const max = options.maxEntries ?? 50_000;
    // `false` caches a miss, so a token for a deleted subscriber does not hit the database on every open.
    this.products = new LRUCache({ max, ttl, ttlAutopurge: false });
    this.subscribers = new LRUCache({ max, ttl, ttlAutopurge: false });
    this.campaigns = new LRUCache({ max: 10_000, ttl, ttlAutopurge: false });
    this.bestSellerLists = new LRUCache({ max: 5_000, ttl, ttlAutopurge: false });
  }

  async getProduct(id: string): Promise<Product | undefined> {
    const cached = this.products.get(id);
    if (cached !== undefined) {
      this.counts.products.hits++;
      return cached || undefined;
    }
    this.counts.products.misses++;
    const product = await this.inner.getProduct(id);
    this.products.set(id, product ?? false);
    return product;
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    // One lookup per id: what was found is kept here, so an entry expiring while the misses load is not lost.
    const known = new Map<string, Product | false>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.products.get(id);
      if (cached === undefined) missing.push(id);
      else known.set(id, cached);
    }
    this.counts.products.misses += missing.length;
    this.counts.products.hits += ids.length - missing.length;
    if (missing.length) {
      const found = new Map((await this.inner.getProducts(missing)).map((product) => [product.id, product]));
      for (const id of missing) {
        const product = found.get(id) ?? false;
        this.products.set(id, product);
        known.set(id, product);
      }
    }
    const result: Product[] = [];
    for (const id of ids) {
      const product = known.get(id);
      if (product) result.push(product);
    }
    return result;
  }

  private async bestSellerList(key: string, load: (depth: number) => Promise<Product[]>): Promise<Product[]> {
    let list = this.bestSellerLists.get(key);
    this.counts.bestSellers[list ? 'hits' : 'misses']++;
    if (!list) {
      list = await load(BEST_SELLER_DEPTH);
      this.bestSellerLists.set(key, list);
    }
    return list;
  }

  private static pickExcluding(list: readonly Product[], limit: number, excludeIds: readonly string[]): Product[] | undefined {
    const excluded = new Set(excludeIds);
    const picked = list.filter((product) => !excluded.has(product.id)).slice(0, limit);
    // Too few left after exclusion and the list was cut at its depth: the caller must ask the database.
    return picked.length < limit && list.length >= BEST_SELLER_DEPTH ? undefined : picked;
  }

  async bestSellersInCategory(category: string, limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    const list = await this.bestSellerList(`c:${category}`, (depth) => this.inner.bestSellersInCategory(category, depth));
    return CachedStore.pickExcluding(list, limit, excludeIds) ?? this.inner.bestSellersInCategory(category, limit, excludeIds);
  }

  async bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    const list = await this.bestSellerList('all', (depth) => this.inner.bestSellers(depth));
    return CachedStore.pickExcluding(list, limit, excludeIds) ?? this.inner.bestSellers(limit, excludeIds);
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    const cached = this.subscribers.get(id);
    this.counts.subscribers[cached !== undefined ? 'hits' : 'misses']++;
    if (cached !== undefined) return cached || undefined;
    const subscriber = await this.inner.getSubscriber(id);
    this.subscribers.set(id, subscriber ?? false);
    return subscriber;
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const cached = this.campaigns.get(id);
    this.counts.campaigns[cached !== undefined ? 'hits' : 'misses']++;
    if (cached !== undefined) return cached || undefined;
    const campaign = await this.inner.getCampaign(id);
    this.campaigns.set(id, campaign ?? false);
    return campaign;
  }

  async upsertProducts(products: readonly Product[]): Promise<void> {
    await this.inner.upsertProducts(products);
    this.invalidateProducts(products.map((product) => product.id));
  }

  async upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
    await this.inner.upsertSubscribers(subscribers);
    this.invalidateSubscribers(subscribers.map((subscriber) => subscriber.id));
  }

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    await this.inner.upsertCampaigns(campaigns);
    for (const campaign of campaigns) this.campaigns.delete(campaign.id);
  }

  // Ingestion: the cache is dropped for every record a batch touched once the
  // transaction has committed, so the next open (JSON or image) reads the new
  // value. Dropped even for stale or refused items: cheap, and never wrong.
  async applyProductPatches(patches: readonly ProductPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult> {
    try {
      return await this.inner.applyProductPatches(patches, options);
    } finally {
      this.invalidateProducts(patches.map((patch) => patch.id));
    }
  }

  async applySubscriberPatches(patches: readonly SubscriberPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult> {
    try {
      return await this.inner.applySubscriberPatches(patches, options);
    } finally {
      this.invalidateSubscribers(patches.map((patch) => patch.id));
    }
  }

  async applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult> {
    try {
      return await this.inner.applySubscriberEvents(events, options);
    } finally {
      this.invalidateSubscribers(events.map((event) => event.subscriberId));
    }
  }

  /** For writes that bypass this object (another process, a bulk import). */
  invalidateProducts(ids: readonly string[]): void {
    for (const id of ids) this.products.delete(id);
    // Any stock or popularity change can reorder or empty a best-seller list.
    this.bestSellerLists.clear();
  }

  invalidateSubscribers(ids: readonly string[]): void {
    for (const id of ids) this.subscribers.delete(id);
  }

  countProducts(): Promise<number> {
    return this.inner.countProducts();
  }

  /** Not cached: written behind by the impression log, read only on a click. */
  recordImpressions(impressions: readonly Impression[]): Promise<void> {
    return this.inner.recordImpressions(impressions);
  }

  getImpression(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    return this.inner.getImpression(subscriberId, campaignId, blockId);
  }

  /** Hits and misses per cache since start (GET /metrics reads these at scrape time). */
  cacheStats(): Readonly<Record<'products' | 'subscribers' | 'campaigns' | 'bestSellers', { hits: number; misses: number }>> {
    return this.counts;
  }

  // Render log, clicks and locks (issue 6): not cached here. The render log is
  // written behind and read by reports; locks have their own cache of frozen
  // views (blocks/lock-at-first-open.ts), which never change once written.
  recordRenders(records: readonly RenderRecord[]): Promise<void> {
    return this.inner.recordRenders(records);
  }

  recordClicks(records: readonly ClickRecord[]): Promise<void> {
    return this.inner.recordClicks(records);
  }

  pruneRenderLog(before: Date, limit: number): Promise<number> {
    return this.inner.pruneRenderLog(before, limit);
  }

  campaignReportCounts(campaignId: string): Promise<ReportCounts[]> {
    return this.inner.campaignReportCounts(campaignId);
  }

  getBlockLock(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
    return this.inner.getBlockLock(campaignId, blockId, subscriberId);
  }

  insertBlockLocks(locks: readonly FrozenView[]): Promise<boolean[]> {
    return this.inner.insertBlockLocks(locks);
  }

  pruneBlockLocks(before: Date, limit: number): Promise<number> {
    return this.inner.pruneBlockLocks(before, limit);
  }

  pruneImpressions(before: Date, limit: number): Promise<number> {
    return this.inner.pruneImpressions(before, limit);
  }

  pruneIngestedEvents(before: Date, limit: number): Promise<number> {
    return this.inner.pruneIngestedEvents(before, limit);
  }

  pruneCartEventTimes(before: Date, limit: number): Promise<number> {
    return this.inner.pruneCartEventTimes(before, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
