import type { Pool } from 'pg';
import type { Campaign, Product, Subscriber } from '../../data/model';
import type { CatalogueReader } from '../ports/catalogue-reader';
import { catalogueRecords, rowLimit } from './postgres-records';

/**
 * The catalogue reader on PostgreSQL: every read is one statement on the
 * pool, by primary key or down a best-seller index, so its cost never grows
 * with the catalogue (test/scale/postgres-adapter.test.ts checks the plans).
 */
export class PostgresCatalogue implements CatalogueReader {
  constructor(private readonly pool: Pool) {}

  async getProduct(id: string): Promise<Product | undefined> {
    return catalogueRecords.readProduct(this.pool, id);
  }

  /** One round trip for every id (`id = ANY(…)`); the asked order is restored here, each id once. */
  async getProducts(ids: readonly string[]): Promise<Product[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const byId = new Map((await catalogueRecords.readProducts(this.pool, unique)).map((product) => [product.id, product]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  async bestSellersInCategory(category: string, limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    const rows = rowLimit(limit);
    return rows === 0 ? [] : catalogueRecords.bestSellers(this.pool, category, rows, [...new Set(excludeIds)]);
  }

  async bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    const rows = rowLimit(limit);
    return rows === 0 ? [] : catalogueRecords.bestSellers(this.pool, undefined, rows, [...new Set(excludeIds)]);
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    return catalogueRecords.readSubscriber(this.pool, id);
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    return catalogueRecords.readCampaign(this.pool, id);
  }
}
