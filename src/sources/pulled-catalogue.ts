import type { Campaign, Product, Subscriber } from '../data/model';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import { remainingWaitMs } from './open-wait-budget';
import type { PulledFigures, PullSource } from './pull-source';

/**
 * The catalogue an open reads when it has a pull source: products come from
 * the catalogue (name, picture, link, category…) with the source's live stock
 * and price laid over them. The block kinds and their rules are unchanged:
 * they see an ordinary Product. Subscribers and campaigns pass through. It
 * wraps the catalogue reader only (in front of the catalogue cache): writes,
 * impressions, locks and the render log never see pulled figures.
 *
 * Which figure wins: the newer one. A pulled answer carries the time it was
 * fetched as the product's `updatedAt` (so its age is visible to anyone
 * reading the product); a catalogue record written after that time (a push
 * through the API) wins over an older pulled answer served stale.
 */
export class PulledCatalogue implements CatalogueReader {
  constructor(
    private readonly inner: CatalogueReader,
    private readonly source: PullSource,
    /** Which product ids the source covers. */
    private readonly covers: (productId: string) => boolean = () => true,
  ) {}

  async getProduct(id: string): Promise<Product | undefined> {
    const [product, pulled] = await Promise.all([this.inner.getProduct(id), this.pull([id])]);
    return product && overlay(product, pulled.get(id));
  }

  async getProducts(ids: readonly string[]): Promise<Product[]> {
    const [products, pulled] = await Promise.all([this.inner.getProducts(ids), this.pull(ids)]);
    return products.map((product) => overlay(product, pulled.get(product.id)));
  }

  /**
   * Best-sellers promise in-stock products, but the catalogue's stock may be
   * behind the source's: ask for a few more than needed, pull them all at once
   * (one wait), and drop those the source says are sold out.
   */
  async bestSellersInCategory(category: string, limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.inStock(await this.inner.bestSellersInCategory(category, overfetch(limit), excludeIds), limit);
  }

  async bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.inStock(await this.inner.bestSellers(overfetch(limit), excludeIds), limit);
  }

  private async inStock(candidates: readonly Product[], limit: number): Promise<Product[]> {
    const pulled = await this.pull(candidates.map((product) => product.id));
    return candidates
      .map((product) => overlay(product, pulled.get(product.id)))
      .filter((product) => product.stock > 0)
      .slice(0, Math.max(0, limit));
  }

  /** Pulls every covered id in parallel, all within what is left of this open's wait budget. */
  private async pull(ids: readonly string[]): Promise<Map<string, PulledFigures>> {
    const covered = [...new Set(ids)].filter(this.covers);
    const found = new Map<string, PulledFigures>();
    if (covered.length === 0) return found;
    const waitMs = remainingWaitMs(this.source.timeoutMs, this.source.now());
    const answers = await Promise.all(covered.map((id) => this.source.read(id, waitMs)));
    covered.forEach((id, index) => {
      const answer = answers[index];
      if (answer) found.set(id, answer);
    });
    return found;
  }

  getSubscriber(id: string): Promise<Subscriber | undefined> {
    return this.inner.getSubscriber(id);
  }

  getCampaign(id: string): Promise<Campaign | undefined> {
    return this.inner.getCampaign(id);
  }
}

/** Candidates to ask the catalogue for, so a few sold out at the source still leave `limit`. */
function overfetch(limit: number): number {
  return limit <= 0 ? 0 : limit + Math.min(limit, 8);
}

/** The product with the pulled figures laid over it, unless the catalogue's record is newer. */
export function overlay(product: Product, pulled: PulledFigures | undefined): Product {
  if (!pulled || Date.parse(product.updatedAt) > pulled.fetchedAt) return product;
  return { ...product, ...pulled.figures, updatedAt: new Date(pulled.fetchedAt).toISOString() };
}

/** `coat-*`, `sku-1` → a matcher; no patterns: every id. Only `*` is special. */
export function productIdMatcher(patterns: readonly string[]): (productId: string) => boolean {
  if (patterns.length === 0) return () => true;
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const regex = new RegExp(`^(?:${patterns.map((pattern) => escape(pattern).replaceAll('*', '.*')).join('|')})$`);
  return (productId) => regex.test(productId);
}
