import type { Database, Statement } from 'better-sqlite3';
import type { Campaign, Product, Subscriber } from '../../data/model';
import {
  CAMPAIGN_COLUMNS,
  campaignFromRow,
  campaignToRow,
  PRODUCT_COLUMNS,
  productFromRow,
  productToRow,
  SUBSCRIBER_COLUMNS,
  subscriberFromRow,
  subscriberToRow,
  type CampaignRow,
  type ProductRow,
  type SubscriberRow,
} from './rows';

/** The catalogue's SQL. Exported so tests can EXPLAIN exactly the statements the adapter runs. */
export const CATALOGUE_SQL = {
  getProduct: `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`,
  // `stock > 0` must match the partial indexes' WHERE clause verbatim, and the
  // ORDER BY must match their column order, so SQLite walks the index and stops
  // at LIMIT without sorting (see migration 2). INDEXED BY turns a silent
  // regression into a loud one: if an edit ever makes the index unusable (or
  // ANALYZE statistics tempt the planner elsewhere), prepare() fails at start-up
  // instead of every open quietly scanning the catalogue.
  bestSellersInCategory:
    `SELECT ${PRODUCT_COLUMNS} FROM products INDEXED BY products_best_sellers_by_category ` +
    'WHERE category = ? AND stock > 0 ORDER BY popularity DESC, id LIMIT ?',
  bestSellers: `SELECT ${PRODUCT_COLUMNS} FROM products INDEXED BY products_best_sellers ` + 'WHERE stock > 0 ORDER BY popularity DESC, id LIMIT ?',
  countProducts: 'SELECT COUNT(*) AS n FROM products',
  upsertProduct: `
    INSERT INTO products (${PRODUCT_COLUMNS})
    VALUES (@id, @name, @url, @image, @category, @price, @sale_price, @currency, @prices, @markets, @stock, @popularity, @updated_at)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, url = excluded.url, image = excluded.image, category = excluded.category,
      price = excluded.price, sale_price = excluded.sale_price, currency = excluded.currency,
      prices = excluded.prices, markets = excluded.markets,
      stock = excluded.stock, popularity = excluded.popularity, updated_at = excluded.updated_at`,
  getSubscriber: `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = ?`,
  upsertSubscriber: `
    INSERT INTO subscribers (${SUBSCRIBER_COLUMNS})
    VALUES (@id, @first_name, @locale, @time_zone, @currency, @country, @city, @loyalty_points,
            @loyalty_tier, @recent_views, @cart, @purchases, @dates, @latitude, @longitude, @updated_at)
    ON CONFLICT (id) DO UPDATE SET
      first_name = excluded.first_name, locale = excluded.locale, time_zone = excluded.time_zone,
      currency = excluded.currency, country = excluded.country, city = excluded.city,
      loyalty_points = excluded.loyalty_points, loyalty_tier = excluded.loyalty_tier,
      recent_views = excluded.recent_views, cart = excluded.cart, purchases = excluded.purchases,
      dates = excluded.dates, latitude = excluded.latitude, longitude = excluded.longitude, updated_at = excluded.updated_at`,
  getCampaign: `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?`,
  listCampaigns: `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY id`,
  upsertCampaign: `
    INSERT INTO campaigns (${CAMPAIGN_COLUMNS})
    VALUES (@id, @name, @ends_at, @allowed_senders, @markets, @templates, @updated_at)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, ends_at = excluded.ends_at, allowed_senders = excluded.allowed_senders,
      markets = excluded.markets, templates = excluded.templates, updated_at = excluded.updated_at`,
} as const;

/**
 * Synchronous, statement-level access to the catalogue tables, shared by the
 * catalogue reader and ingestion on one connection. Every statement is
 * prepared once, here: these run on every email open, where re-parsing SQL
 * would cost more than running it. Callers own the transactions.
 */
export class SqliteRecords {
  private readonly stmtGetProduct: Statement<[string], ProductRow>;
  private readonly stmtBestSellersInCategory: Statement<[string, number], ProductRow>;
  private readonly stmtBestSellers: Statement<[number], ProductRow>;
  private readonly stmtCountProducts: Statement<[], { n: number }>;
  private readonly stmtUpsertProduct: Statement<[ProductRow]>;
  private readonly stmtGetSubscriber: Statement<[string], SubscriberRow>;
  private readonly stmtUpsertSubscriber: Statement<[SubscriberRow]>;
  private readonly stmtGetCampaign: Statement<[string], CampaignRow>;
  private readonly stmtListCampaigns: Statement<[], CampaignRow>;
  private readonly stmtUpsertCampaign: Statement<[CampaignRow]>;

  constructor(db: Database) {
    this.stmtGetProduct = db.prepare(CATALOGUE_SQL.getProduct);
    this.stmtBestSellersInCategory = db.prepare(CATALOGUE_SQL.bestSellersInCategory);
    this.stmtBestSellers = db.prepare(CATALOGUE_SQL.bestSellers);
    this.stmtCountProducts = db.prepare(CATALOGUE_SQL.countProducts);
    this.stmtUpsertProduct = db.prepare(CATALOGUE_SQL.upsertProduct);
    this.stmtGetSubscriber = db.prepare(CATALOGUE_SQL.getSubscriber);
    this.stmtUpsertSubscriber = db.prepare(CATALOGUE_SQL.upsertSubscriber);
    this.stmtGetCampaign = db.prepare(CATALOGUE_SQL.getCampaign);
    this.stmtListCampaigns = db.prepare(CATALOGUE_SQL.listCampaigns);
    this.stmtUpsertCampaign = db.prepare(CATALOGUE_SQL.upsertCampaign);
  }

  readProduct(id: string): Product | undefined {
    const row = this.stmtGetProduct.get(id);
    return row ? productFromRow(row) : undefined;
  }

  writeProduct(product: Product): void {
    this.stmtUpsertProduct.run(productToRow(product));
  }

  /** Rows down a best-seller index, read lazily: the caller stops when it has enough. */
  bestSellerRows(category: string | undefined, rows: number): IterableIterator<ProductRow> {
    return category === undefined ? this.stmtBestSellers.iterate(rows) : this.stmtBestSellersInCategory.iterate(category, rows);
  }

  countProducts(): number {
    return this.stmtCountProducts.get()?.n ?? 0;
  }

  readSubscriber(id: string): Subscriber | undefined {
    const row = this.stmtGetSubscriber.get(id);
    return row ? subscriberFromRow(row) : undefined;
  }

  writeSubscriber(subscriber: Subscriber): void {
    this.stmtUpsertSubscriber.run(subscriberToRow(subscriber));
  }

  readCampaign(id: string): Campaign | undefined {
    const row = this.stmtGetCampaign.get(id);
    return row ? campaignFromRow(row) : undefined;
  }

  listCampaigns(): Campaign[] {
    return this.stmtListCampaigns.all().map(campaignFromRow);
  }

  writeCampaign(campaign: Campaign): void {
    this.stmtUpsertCampaign.run(campaignToRow(campaign));
  }
}
