import type { Campaign, Product, Subscriber } from '../../data/model';
import {
  CAMPAIGN_COLUMNS,
  CAMPAIGN_FIELDS,
  CAMPAIGN_FROM_RECORD,
  CAMPAIGN_RECORD,
  CAMPAIGN_UPDATE,
  lastOfEachId,
  PRODUCT_COLUMNS,
  PRODUCT_FIELDS,
  PRODUCT_FROM_RECORD,
  PRODUCT_RECORD,
  PRODUCT_UPDATE,
  SUBSCRIBER_COLUMNS,
  SUBSCRIBER_FIELDS,
  SUBSCRIBER_FROM_RECORD,
  SUBSCRIBER_RECORD,
  SUBSCRIBER_UPDATE,
  type Queryable,
} from './rows';

/**
 * The catalogue's SQL, exported so tests can EXPLAIN exactly the statements
 * the adapter runs. Batch writes are one statement each; rows go in id order
 * (`ORDER BY id COLLATE "C"`), so two batches that touch the same rows lock
 * them in the same order and cannot deadlock each other.
 */
export const CATALOGUE_SQL = {
  getProduct: `SELECT ${PRODUCT_FIELDS} FROM products WHERE id = $1`,
  getProducts: `SELECT ${PRODUCT_FIELDS} FROM products WHERE id = ANY($1::text[])`,
  // `stock > 0` repeats the partial indexes' predicate and the ORDER BY their column order, so the
  // planner walks the index and stops at LIMIT (migration 1). Exclusions are filtered on the way:
  // at most as many extra index entries as there are excluded ids are read.
  bestSellersInCategory:
    `SELECT ${PRODUCT_FIELDS} FROM products WHERE category = $1 AND stock > 0 AND id <> ALL($3::text[]) ` + 'ORDER BY popularity DESC, id LIMIT $2',
  bestSellers: `SELECT ${PRODUCT_FIELDS} FROM products WHERE stock > 0 AND id <> ALL($2::text[]) ORDER BY popularity DESC, id LIMIT $1`,
  countProducts: 'SELECT COUNT(*) AS n FROM products',
  // Ingestion reads what a batch touches and locks it until the batch commits (PostgreSQL
  // manual, "The Locking Clause"): in id order, like every write.
  lockProducts: `SELECT ${PRODUCT_FIELDS} FROM products WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
  upsertProducts:
    `INSERT INTO products (${PRODUCT_COLUMNS}) SELECT ${PRODUCT_FROM_RECORD} FROM jsonb_to_recordset($1::jsonb) AS r(${PRODUCT_RECORD}) ` +
    `ORDER BY id COLLATE "C" ON CONFLICT (id) DO UPDATE SET ${PRODUCT_UPDATE}`,
  // New records only: a row another connection created since this batch read is left alone, and
  // RETURNING tells the batch it has to run again against it.
  insertNewProducts:
    `INSERT INTO products (${PRODUCT_COLUMNS}) SELECT ${PRODUCT_FROM_RECORD} FROM jsonb_to_recordset($1::jsonb) AS r(${PRODUCT_RECORD}) ` +
    'ORDER BY id COLLATE "C" ON CONFLICT (id) DO NOTHING RETURNING id',
  getSubscriber: `SELECT ${SUBSCRIBER_FIELDS} FROM subscribers WHERE id = $1`,
  lockSubscribers: `SELECT ${SUBSCRIBER_FIELDS} FROM subscribers WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
  upsertSubscribers:
    `INSERT INTO subscribers (${SUBSCRIBER_COLUMNS}) SELECT ${SUBSCRIBER_FROM_RECORD} FROM jsonb_to_recordset($1::jsonb) AS r(${SUBSCRIBER_RECORD}) ` +
    `ORDER BY id COLLATE "C" ON CONFLICT (id) DO UPDATE SET ${SUBSCRIBER_UPDATE}`,
  insertNewSubscribers:
    `INSERT INTO subscribers (${SUBSCRIBER_COLUMNS}) SELECT ${SUBSCRIBER_FROM_RECORD} FROM jsonb_to_recordset($1::jsonb) AS r(${SUBSCRIBER_RECORD}) ` +
    'ORDER BY id COLLATE "C" ON CONFLICT (id) DO NOTHING RETURNING id',
  getCampaign: `SELECT ${CAMPAIGN_FIELDS} FROM campaigns WHERE id = $1`,
  listCampaigns: `SELECT ${CAMPAIGN_FIELDS} FROM campaigns ORDER BY id`,
  lockCampaigns: `SELECT ${CAMPAIGN_FIELDS} FROM campaigns WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
  insertNewCampaigns:
    `INSERT INTO campaigns (${CAMPAIGN_COLUMNS}) SELECT ${CAMPAIGN_FROM_RECORD} FROM jsonb_to_recordset($1::jsonb) AS r(${CAMPAIGN_RECORD}) ` +
    'ORDER BY id COLLATE "C" ON CONFLICT (id) DO NOTHING RETURNING id',
  upsertCampaigns:
    `INSERT INTO campaigns (${CAMPAIGN_COLUMNS}) SELECT ${CAMPAIGN_FROM_RECORD} FROM jsonb_to_recordset($1::jsonb) AS r(${CAMPAIGN_RECORD}) ` +
    `ORDER BY id COLLATE "C" ON CONFLICT (id) DO UPDATE SET ${CAMPAIGN_UPDATE}`,
} as const;

/** A non-negative whole number of rows; anything else reads as 0. */
export function rowLimit(limit: number): number {
  return Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
}

/**
 * Statement-level access to the catalogue tables, shared by the catalogue
 * reader (on the pool) and ingestion (on a transaction's connection). The
 * reads every open makes are named statements: node-postgres prepares each
 * once per connection, so an open pays for planning once, not per request.
 */
export const catalogueRecords = {
  async readProduct(db: Queryable, id: string): Promise<Product | undefined> {
    const result = await db.query<Product>({ name: 'opentime.get-product', text: CATALOGUE_SQL.getProduct, values: [id] });
    return result.rows[0];
  },

  async readProducts(db: Queryable, ids: readonly string[]): Promise<Product[]> {
    const result = await db.query<Product>({ name: 'opentime.get-products', text: CATALOGUE_SQL.getProducts, values: [ids] });
    return result.rows;
  },

  async bestSellers(db: Queryable, category: string | undefined, limit: number, excludeIds: readonly string[]): Promise<Product[]> {
    const result =
      category === undefined
        ? await db.query<Product>({ name: 'opentime.best-sellers', text: CATALOGUE_SQL.bestSellers, values: [limit, excludeIds] })
        : await db.query<Product>({ name: 'opentime.best-sellers-in-category', text: CATALOGUE_SQL.bestSellersInCategory, values: [category, limit, excludeIds] });
    return result.rows;
  },

  async countProducts(db: Queryable): Promise<number> {
    const result = await db.query<{ n: number }>({ text: CATALOGUE_SQL.countProducts });
    return result.rows[0]?.n ?? 0;
  },

  async lockProducts(db: Queryable, ids: readonly string[]): Promise<Map<string, Product>> {
    if (ids.length === 0) return new Map();
    const result = await db.query<Product>({ text: CATALOGUE_SQL.lockProducts, values: [ids] });
    return new Map(result.rows.map((product) => [product.id, product]));
  },

  async upsertProducts(db: Queryable, products: readonly Product[]): Promise<void> {
    if (products.length > 0) await db.query({ text: CATALOGUE_SQL.upsertProducts, values: [JSON.stringify(lastOfEachId(products))] });
  },

  /** Inserts records this batch planned as new; resolves how many went in (fewer: another connection created some). */
  async insertNewProducts(db: Queryable, products: readonly Product[]): Promise<number> {
    if (products.length === 0) return 0;
    return (await db.query({ text: CATALOGUE_SQL.insertNewProducts, values: [JSON.stringify(products)] })).rowCount ?? 0;
  },

  async readSubscriber(db: Queryable, id: string): Promise<Subscriber | undefined> {
    const result = await db.query<Subscriber>({ name: 'opentime.get-subscriber', text: CATALOGUE_SQL.getSubscriber, values: [id] });
    return result.rows[0];
  },

  async lockSubscribers(db: Queryable, ids: readonly string[]): Promise<Map<string, Subscriber>> {
    if (ids.length === 0) return new Map();
    const result = await db.query<Subscriber>({ text: CATALOGUE_SQL.lockSubscribers, values: [ids] });
    return new Map(result.rows.map((subscriber) => [subscriber.id, subscriber]));
  },

  async upsertSubscribers(db: Queryable, subscribers: readonly Subscriber[]): Promise<void> {
    if (subscribers.length > 0) await db.query({ text: CATALOGUE_SQL.upsertSubscribers, values: [JSON.stringify(lastOfEachId(subscribers))] });
  },

  async insertNewSubscribers(db: Queryable, subscribers: readonly Subscriber[]): Promise<number> {
    if (subscribers.length === 0) return 0;
    return (await db.query({ text: CATALOGUE_SQL.insertNewSubscribers, values: [JSON.stringify(subscribers)] })).rowCount ?? 0;
  },

  async readCampaign(db: Queryable, id: string): Promise<Campaign | undefined> {
    const result = await db.query<Campaign>({ name: 'opentime.get-campaign', text: CATALOGUE_SQL.getCampaign, values: [id] });
    return result.rows[0];
  },

  async listCampaigns(db: Queryable): Promise<Campaign[]> {
    return (await db.query<Campaign>({ text: CATALOGUE_SQL.listCampaigns })).rows;
  },

  async lockCampaigns(db: Queryable, ids: readonly string[]): Promise<Map<string, Campaign>> {
    if (ids.length === 0) return new Map();
    const result = await db.query<Campaign>({ text: CATALOGUE_SQL.lockCampaigns, values: [ids] });
    return new Map(result.rows.map((campaign) => [campaign.id, campaign]));
  },

  async insertNewCampaigns(db: Queryable, campaigns: readonly Campaign[]): Promise<number> {
    if (campaigns.length === 0) return 0;
    return (await db.query({ text: CATALOGUE_SQL.insertNewCampaigns, values: [JSON.stringify(campaigns)] })).rowCount ?? 0;
  },

  async upsertCampaigns(db: Queryable, campaigns: readonly Campaign[]): Promise<void> {
    if (campaigns.length > 0) await db.query({ text: CATALOGUE_SQL.upsertCampaigns, values: [JSON.stringify(lastOfEachId(campaigns))] });
  },
};
