import { LRUCache } from 'lru-cache';
import type { Campaign, Product, Subscriber } from '../../data/model';
import { InFlight } from '../../in-flight';
import type { CatalogueReader } from '../ports/catalogue-reader';

export interface CatalogueCacheOptions {
  /** Longest a cached figure may be served after it changed at the source (ms). */
  freshnessMs: number;
  /** Most records of each type held in memory. */
  maxEntries?: number;
}

export interface CacheCounts {
  hits: number;
  misses: number;
}

export type CatalogueCacheName = 'products' | 'subscribers' | 'campaigns' | 'bestSellers';

/** What the rest of the process may ask of the catalogue cache. */
export interface CatalogueCache {
  /** Hits and misses per cache since start (GET /metrics reads these at scrape time). */
  stats(): Readonly<Record<CatalogueCacheName, CacheCounts>>;
  /** Drops what these writes made stale (ingestion in this process does it itself; see catalogue-invalidation.ts). */
  invalidateProducts(ids: readonly string[]): void;
  invalidateSubscribers(ids: readonly string[]): void;
  invalidateCampaigns(ids: readonly string[]): void;
}

/** How many best-sellers per list are cached, so per-subscriber exclusions can be filtered in memory. */
const BEST_SELLER_DEPTH = 48;

/**
 * The catalogue reader an open goes through. Every entry lives at most
 * `freshnessMs` (default 1 s), and every write through this process drops
 * the entries it affects at once, so a price change is visible at the next
 * open. Bounded: a campaign to millions of subscribers cannot grow it without
 * limit. Concurrent misses of one key share one read (InFlight), and a read
 * that was running when its key was written is not cached.
 */
export class CachedCatalogue implements CatalogueReader, CatalogueCache {
  private readonly products: LRUCache<string, Product | false>;
  private readonly subscribers: LRUCache<string, Subscriber | false>;
  private readonly campaigns: LRUCache<string, Campaign | false>;
  private readonly bestSellerLists: LRUCache<string, Product[]>;
  private readonly productReads = new InFlight<string, Product | false>();
  private readonly subscriberReads = new InFlight<string, Subscriber | false>();
  private readonly campaignReads = new InFlight<string, Campaign | false>();
  private readonly bestSellerReads = new InFlight<string, Product[]>();
  /** Bumped by every invalidation: a read that started before it must not cache its (maybe stale) answer. */
  private generation = 0;
  private readonly counts: Record<CatalogueCacheName, CacheCounts> = {
    products: { hits: 0, misses: 0 },
    subscribers: { hits: 0, misses: 0 },
    campaigns: { hits: 0, misses: 0 },
    bestSellers: { hits: 0, misses: 0 },
  };

  constructor(
    private readonly inner: CatalogueReader,
    options: CatalogueCacheOptions,
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
    return (await this.cached(this.products, this.productReads, this.counts.products, id, async () => (await this.inner.getProduct(id)) ?? false)) || undefined;
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    // What was found is kept here, so an entry expiring while the misses load is not lost.
    const unique = new Set(ids);
    const known = new Map<string, Product | false>();
    const missing: string[] = [];
    for (const id of unique) {
      const cached = this.products.get(id);
      if (cached === undefined) missing.push(id);
      else known.set(id, cached);
    }
    this.counts.products.misses += missing.length;
    this.counts.products.hits += unique.size - missing.length;
    if (missing.length > 0) {
      // One read for the ids nobody is reading yet; the others join the reads already running.
      const generation = this.generation;
      const unread = missing.filter((id) => !this.productReads.get(id));
      let batch: Promise<Map<string, Product>> | undefined;
      const readUnread = (): Promise<Map<string, Product>> =>
        (batch ??= this.inner.getProducts(unread).then((found) => new Map(found.map((product) => [product.id, product]))));
      const loaded = await Promise.all(
        missing.map((id) =>
          this.productReads.run(id, async () => {
            const product = (await readUnread()).get(id) ?? false;
            if (generation === this.generation) this.products.set(id, product);
            return product;
          }),
        ),
      );
      missing.forEach((id, index) => known.set(id, loaded[index] as Product | false));
    }
    const result: Product[] = [];
    for (const id of unique) {
      const product = known.get(id);
      if (product) result.push(product);
    }
    return result;
  }

  async bestSellersInCategory(category: string, limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    const list = await this.bestSellerList(`c:${category}`, () => this.inner.bestSellersInCategory(category, BEST_SELLER_DEPTH));
    return pickExcluding(list, limit, excludeIds) ?? this.inner.bestSellersInCategory(category, limit, excludeIds);
  }

  async bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    const list = await this.bestSellerList('all', () => this.inner.bestSellers(BEST_SELLER_DEPTH));
    return pickExcluding(list, limit, excludeIds) ?? this.inner.bestSellers(limit, excludeIds);
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    return (await this.cached(this.subscribers, this.subscriberReads, this.counts.subscribers, id, async () => (await this.inner.getSubscriber(id)) ?? false)) || undefined;
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    return (await this.cached(this.campaigns, this.campaignReads, this.counts.campaigns, id, async () => (await this.inner.getCampaign(id)) ?? false)) || undefined;
  }

  invalidateProducts(ids: readonly string[]): void {
    this.generation++;
    for (const id of ids) {
      this.products.delete(id);
      this.productReads.forget(id);
    }
    // Any stock or popularity change can reorder or empty a best-seller list.
    this.bestSellerLists.clear();
    this.bestSellerReads.forgetAll();
  }

  invalidateSubscribers(ids: readonly string[]): void {
    this.generation++;
    for (const id of ids) {
      this.subscribers.delete(id);
      this.subscriberReads.forget(id);
    }
  }

  invalidateCampaigns(ids: readonly string[]): void {
    this.generation++;
    for (const id of ids) {
      this.campaigns.delete(id);
      this.campaignReads.forget(id);
    }
  }

  stats(): Readonly<Record<CatalogueCacheName, CacheCounts>> {
    return this.counts;
  }

  private bestSellerList(key: string, load: () => Promise<Product[]>): Promise<Product[]> {
    const list = this.bestSellerLists.get(key);
    this.counts.bestSellers[list ? 'hits' : 'misses']++;
    if (list) return Promise.resolve(list);
    return this.bestSellerReads.run(key, async () => {
      const generation = this.generation;
      const loaded = await load();
      if (generation === this.generation) this.bestSellerLists.set(key, loaded);
      return loaded;
    });
  }

  /** A cache hit, or one shared read of the inner catalogue, cached unless its key was written meanwhile. */
  private async cached<V extends object>(cache: LRUCache<string, V | false>, reads: InFlight<string, V | false>, counts: CacheCounts, id: string, load: () => Promise<V | false>): Promise<V | false> {
    const cached = cache.get(id);
    if (cached !== undefined) {
      counts.hits++;
      return cached;
    }
    counts.misses++;
    return reads.run(id, async () => {
      const generation = this.generation;
      const value = await load();
      if (generation === this.generation) cache.set(id, value);
      return value;
    });
  }
}

/** The first `limit` of a cached list after exclusions; undefined when the list, cut at its depth, cannot say. */
function pickExcluding(list: readonly Product[], limit: number, excludeIds: readonly string[]): Product[] | undefined {
  const excluded = new Set(excludeIds);
  const picked = list.filter((product) => !excluded.has(product.id)).slice(0, Math.max(0, limit));
  // Too few left after exclusion and the list was cut at its depth: the caller must ask the database.
  return picked.length < limit && list.length >= BEST_SELLER_DEPTH ? undefined : picked;
}
