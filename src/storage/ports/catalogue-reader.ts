import type { Campaign, Product, Subscriber } from '../../data/model';

/**
 * The reads an open makes: the products a block shows, the best-sellers that
 * fill a recommendations row, the subscriber from the token and their
 * campaign. The API's read-backs and the email command's recipient check use
 * it too. It is the only port with wrappers in front of it: the catalogue
 * cache (storage/cache) and the pull-source overlay (sources/pulled-catalogue).
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - an unknown id reads as `undefined` (or is left out of a list), never as an error;
 * - every read is by key or served by an index: its cost never grows with the
 *   size of the catalogue;
 * - what a committed ingestion write changed is what the next read returns
 *   (a wrapper may serve it up to OPENTIME_FRESHNESS_MS late to other processes).
 */
export interface CatalogueReader {
  getProduct(id: string): Promise<Product | undefined>;
  /** Products by id, in the order asked; unknown ids are left out, a repeated id comes once, at its first position. */
  getProducts(ids: readonly string[]): Promise<Product[]>;
  /**
   * In-stock products (stock above 0) of a category, most popular first, ties
   * broken by id, at most `limit` (0 or less: none), leaving out `excludeIds`
   * but still filling `limit` from further down the list when it can.
   */
  bestSellersInCategory(category: string, limit: number, excludeIds?: readonly string[]): Promise<Product[]>;
  /** The same across the whole catalogue. */
  bestSellers(limit: number, excludeIds?: readonly string[]): Promise<Product[]>;
  getSubscriber(id: string): Promise<Subscriber | undefined>;
  getCampaign(id: string): Promise<Campaign | undefined>;
}
