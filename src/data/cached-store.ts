import { LRUCache } from 'lru-cache';
import type { Campaign, Product, Subscriber } from './model';
import type { Impression, Store } from './store';

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
export class CachedStore implements Store {
  private readonly products: LRUCache<string, Product | false>;
  private readonly subscribers: LRUCache<string, Subscriber | false>;
  private readonly campaigns: LRUCache<string, Campaign | false>;
  private readonly bestSellerLists: LRUCache<string, Product[]>;

  constructor(
    private readonly inner: Store,
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
    if (cached !== undefined) return cached || undefined;
    const product = await this.inner.getProduct(id);
    this.products.set(id, product ?? false);
    return product;
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    const missing = ids.filter((id) => !this.products.has(id));
    if (missing.length) {
      const found = new Map((await this.inner.getProducts(missing)).map((product) => [product.id, product]));
      for (const id of missing) this.products.set(id, found.get(id) ?? false);
    }
    const result: Product[] = [];
    for (const id of ids) {
      const product = this.products.get(id);
      if (product) result.push(product);
    }
    return result;
  }

  private async bestSellerList(key: string, load: (depth: number) => Promise<Product[]>): Promise<Product[]> {
    let list = this.bestSellerLists.get(key);
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
    if (cached !== undefined) return cached || undefined;
    const subscriber = await this.inner.getSubscriber(id);
    this.subscribers.set(id, subscriber ?? false);
    return subscriber;
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const cached = this.campaigns.get(id);
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

  close(): Promise<void> {
    return this.inner.close();
  }
}
