import type { Campaign, Product, Subscriber } from './model';

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

  close(): Promise<void>;
}
