import type { Campaign, Product, Subscriber } from '../../data/model';
import type { CatalogueReader } from '../ports/catalogue-reader';
import { productFromRow } from './rows';
import type { SqliteRecords } from './sqlite-records';

/** A non-negative whole number of rows to return; anything else reads as 0. */
function rowLimit(limit: number): number {
  return Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
}

/**
 * The catalogue reader on SQLite. better-sqlite3 answers synchronously; the
 * async methods only satisfy the port (a networked database needs real
 * promises). Being `async`, they still turn a thrown error into a rejected
 * promise, so callers see one failure mode.
 */
export class SqliteCatalogue implements CatalogueReader {
  constructor(private readonly records: SqliteRecords) {}

  async getProduct(id: string): Promise<Product | undefined> {
    return this.records.readProduct(id);
  }

  /**
   * One primary-key lookup per id through the prepared statement: for the
   * handful of ids an open asks for, that is as fast as an IN (...) query,
   * keeps the asked order for free and needs no per-arity statement.
   */
  async getProducts(ids: readonly string[]): Promise<Product[]> {
    const out: Product[] = [];
    for (const id of new Set(ids)) {
      const product = this.records.readProduct(id);
      if (product) out.push(product);
    }
    return out;
  }

  async bestSellersInCategory(category: string, limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.bestSellersOf(category, limit, excludeIds);
  }

  async bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.bestSellersOf(undefined, limit, excludeIds);
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    return this.records.readSubscriber(id);
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    return this.records.readCampaign(id);
  }

  /**
   * Exclusion without a scan: at most `excluded.size` of the top rows can be
   * excluded, so `limit + excluded.size` rows down the index always suffice to
   * fill `limit` after filtering; that is the LIMIT bound. Rows are pulled
   * lazily (iterate, not all) and we stop once `limit` are kept, so in the
   * usual case, where few exclusions are near the top, only about `limit` rows
   * are read and materialised (each costs a few µs). Cost grows with the
   * exclusion list (a subscriber's history, short), never with the catalogue.
   */
  private bestSellersOf(category: string | undefined, limit: number, excludeIds: readonly string[]): Product[] {
    const want = rowLimit(limit);
    if (want === 0) return [];
    const excluded = new Set(excludeIds);
    const out: Product[] = [];
    for (const row of this.records.bestSellerRows(category, want + excluded.size)) {
      if (excluded.has(row.id)) continue;
      out.push(productFromRow(row));
      if (out.length === want) break;
    }
    return out;
  }
}
