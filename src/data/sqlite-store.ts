import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import type { Campaign, Product, Subscriber } from './model';
import type { ExpiringRecordsStore, Impression, Store } from './store';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrations';
import { SqliteIngest } from './ingest-sqlite';
import { SqliteBlockLocks } from './locks-sqlite';
import type { BlockLockStore, FrozenView } from './locks';
import { SqliteRenderLog } from '../render-log/sqlite-render-log';
import type { ClickRecord, RenderLogStore, RenderRecord, ReportCounts } from '../render-log/render-record';
import type { IncompleteRecordPolicy, PatchBatchResult, ProductPatch, SubscriberPatch } from './patches';
import type { EventBatchResult, SubscriberEvent } from './subscriber-events';

export interface SqliteStoreOptions {
  /**
   * Open without write access: no migrations are run (the schema must already
   * be current) and every upsert fails. For tools that only read.
   */
  readonly?: boolean;
  /** How long to wait for another connection's write lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
}

// ---------------------------------------------------------------------------
// Rows and the row <-> model mapping. Everything that knows column names lives
// here and in SQL below, so a schema change touches one place.
// ---------------------------------------------------------------------------

interface ProductRow {
  id: string;
  name: string;
  url: string;
  image: string;
  category: string;
  price: number;
  sale_price: number | null;
  currency: string;
  stock: number;
  popularity: number;
  updated_at: string;
}

interface SubscriberRow {
  id: string;
  first_name: string;
  locale: string;
  time_zone: string;
  currency: string;
  country: string | null;
  city: string | null;
  loyalty_points: number;
  loyalty_tier: string | null;
  recent_views: string;
  cart: string;
  purchases: string;
  updated_at: string;
}

interface CampaignRow {
  id: string;
  name: string;
  ends_at: string | null;
  allowed_senders: string;
}

function productFromRow(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    image: row.image,
    category: row.category,
    price: row.price,
    salePrice: row.sale_price,
    currency: row.currency,
    stock: row.stock,
    popularity: row.popularity,
    updatedAt: row.updated_at,
  };
}

function productToRow(p: Product): ProductRow {
  return {
    id: p.id,
    name: p.name,
    url: p.url,
    image: p.image,
    category: p.category,
    price: p.price,
    sale_price: p.salePrice ?? null,
    currency: p.currency,
    stock: p.stock,
    popularity: p.popularity,
    updated_at: p.updatedAt,
  };
}

/**
 * JSON list columns are only ever written by this module, so a malformed one
 * means the file was edited by hand or is corrupt: say which row and column
 * rather than handing the rule engine something that is not a string[].
 */
function parseStringList(json: string, table: string, id: string, column: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${table} ${JSON.stringify(id)}: column ${column} is not valid JSON`);
  }
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new Error(`${table} ${JSON.stringify(id)}: column ${column} is not a JSON array of strings`);
  }
  return value;
}

function subscriberFromRow(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    firstName: row.first_name,
    locale: row.locale,
    timeZone: row.time_zone,
    currency: row.currency,
    country: row.country,
    city: row.city,
    loyaltyPoints: row.loyalty_points,
    loyaltyTier: row.loyalty_tier,
    recentViews: parseStringList(row.recent_views, 'subscriber', row.id, 'recent_views'),
    cart: parseStringList(row.cart, 'subscriber', row.id, 'cart'),
    purchases: parseStringList(row.purchases, 'subscriber', row.id, 'purchases'),
    updatedAt: row.updated_at,
  };
}

function subscriberToRow(s: Subscriber): SubscriberRow {
  return {
    id: s.id,
    first_name: s.firstName,
    locale: s.locale,
    time_zone: s.timeZone,
    currency: s.currency,
    country: s.country ?? null,
    city: s.city ?? null,
    loyalty_points: s.loyaltyPoints,
    loyalty_tier: s.loyaltyTier ?? null,
    recent_views: JSON.stringify(s.recentViews),
    cart: JSON.stringify(s.cart),
    purchases: JSON.stringify(s.purchases),
    updated_at: s.updatedAt,
  };
}

function campaignFromRow(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    endsAt: row.ends_at,
    allowedSenders: parseStringList(row.allowed_senders, 'campaign', row.id, 'allowed_senders'),
  };
}

function campaignToRow(c: Campaign): CampaignRow {
  return {
    id: c.id,
    name: c.name,
    ends_at: c.endsAt ?? null,
    allowed_senders: JSON.stringify(c.allowedSenders),
  };
}

interface ImpressionRow {
  subscriber_id: string;
  campaign_id: string;
  block_id: string;
  urls: string;
  rendered_at: string;
}

function impressionToRow(i: Impression): ImpressionRow {
  return {
    subscriber_id: i.subscriberId,
    campaign_id: i.campaignId,
    block_id: i.blockId,
    urls: JSON.stringify(i.urls),
    rendered_at: i.renderedAt,
  };
}

function impressionFromRow(row: ImpressionRow): Impression {
  return {
    subscriberId: row.subscriber_id,
    campaignId: row.campaign_id,
    blockId: row.block_id,
    urls: parseStringList(row.urls, 'impression', `${row.subscriber_id}/${row.campaign_id}/${row.block_id}`, 'urls'),
    renderedAt: row.rendered_at,
  };
}

// ---------------------------------------------------------------------------
// SQL. Exported so tests can EXPLAIN exactly the statements the store runs.
// ---------------------------------------------------------------------------

const PRODUCT_COLUMNS =
  'id, name, url, image, category, price, sale_price, currency, stock, popularity, updated_at';

export const SQL = {
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
  bestSellers:
    `SELECT ${PRODUCT_COLUMNS} FROM products INDEXED BY products_best_sellers ` +
    'WHERE stock > 0 ORDER BY popularity DESC, id LIMIT ?',
  countProducts: 'SELECT COUNT(*) AS n FROM products',
  upsertProduct: `
    INSERT INTO products (${PRODUCT_COLUMNS})
    VALUES (@id, @name, @url, @image, @category, @price, @sale_price, @currency, @stock, @popularity, @updated_at)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, url = excluded.url, image = excluded.image, category = excluded.category,
      price = excluded.price, sale_price = excluded.sale_price, currency = excluded.currency,
      stock = excluded.stock, popularity = excluded.popularity, updated_at = excluded.updated_at`,
  getSubscriber:
    'SELECT id, first_name, locale, time_zone, currency, country, city, loyalty_points, loyalty_tier, ' +
    'recent_views, cart, purchases, updated_at FROM subscribers WHERE id = ?',
  upsertSubscriber: `
    INSERT INTO subscribers (id, first_name, locale, time_zone, currency, country, city, loyalty_points,
                             loyalty_tier, recent_views, cart, purchases, updated_at)
    VALUES (@id, @first_name, @locale, @time_zone, @currency, @country, @city, @loyalty_points,
            @loyalty_tier, @recent_views, @cart, @purchases, @updated_at)
    ON CONFLICT (id) DO UPDATE SET
      first_name = excluded.first_name, locale = excluded.locale, time_zone = excluded.time_zone,
      currency = excluded.currency, country = excluded.country, city = excluded.city,
      loyalty_points = excluded.loyalty_points, loyalty_tier = excluded.loyalty_tier,
      recent_views = excluded.recent_views, cart = excluded.cart, purchases = excluded.purchases,
      updated_at = excluded.updated_at`,
  getCampaign: 'SELECT id, name, ends_at, allowed_senders FROM campaigns WHERE id = ?',
  // The WHERE keeps the newest render when batches land out of order.
  recordImpression: `
    INSERT INTO impressions (subscriber_id, campaign_id, block_id, urls, rendered_at)
    VALUES (@subscriber_id, @campaign_id, @block_id, @urls, @rendered_at)
    ON CONFLICT (subscriber_id, campaign_id, block_id) DO UPDATE SET
      urls = excluded.urls, rendered_at = excluded.rendered_at
    WHERE excluded.rendered_at >= impressions.rendered_at`,
  getImpression:
    'SELECT subscriber_id, campaign_id, block_id, urls, rendered_at FROM impressions ' +
    'WHERE subscriber_id = ? AND campaign_id = ? AND block_id = ?',
  upsertCampaign: `
    INSERT INTO campaigns (id, name, ends_at, allowed_senders)
    VALUES (@id, @name, @ends_at, @allowed_senders)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, ends_at = excluded.ends_at, allowed_senders = excluded.allowed_senders`,
} as const;

/** A non-negative whole number of rows to return; anything else reads as 0. */
function rowLimit(limit: number): number {
  return Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
}

/**
 * The embedded default store: one better-sqlite3 connection, WAL journal.
 *
 * Every statement is prepared once, in the constructor: this object answers on
 * every email open, where re-parsing SQL would cost more than running it.
 * better-sqlite3 is synchronous; the async methods only wrap it to satisfy the
 * `Store` interface (a networked store needs real promises). Because the work
 * is synchronous, an `async` method still turns a thrown error into a rejected
 * promise, so callers see one failure mode.
 */
export class SqliteStore implements Store, RenderLogStore, BlockLockStore, ExpiringRecordsStore {
  private readonly db: Database;
  private readonly stmtGetProduct: Statement<[string], ProductRow>;
  private readonly stmtBestSellersInCategory: Statement<[string, number], ProductRow>;
  private readonly stmtBestSellers: Statement<[number], ProductRow>;
  private readonly stmtCountProducts: Statement<[], { n: number }>;
  private readonly stmtUpsertProduct: Statement<[ProductRow]>;
  private readonly stmtGetSubscriber: Statement<[string], SubscriberRow>;
  private readonly stmtUpsertSubscriber: Statement<[SubscriberRow]>;
  private readonly stmtGetCampaign: Statement<[string], CampaignRow>;
  private readonly stmtUpsertCampaign: Statement<[CampaignRow]>;
  private readonly upsertProductsTx: (products: readonly Product[]) => void;
  private readonly upsertSubscribersTx: (subscribers: readonly Subscriber[]) => void;
  private readonly upsertCampaignsTx: (campaigns: readonly Campaign[]) => void;
  private readonly stmtRecordImpression: Statement<[ImpressionRow]>;
  private readonly stmtGetImpression: Statement<[string, string, string], ImpressionRow>;
  private readonly stmtPruneImpressions: Statement<[string, number]>;
  private readonly recordImpressionsTx: (impressions: readonly Impression[]) => void;
  private readonly ingest: SqliteIngest;
  private readonly renderLog: SqliteRenderLog;
  private readonly blockLocks: SqliteBlockLocks;

  /**
   * Opens (creating if needed, unless read-only) the database at `file` and
   * migrates it to the current schema. `':memory:'` gives a private in-memory
   * database, for tests (it cannot use WAL; SQLite keeps its journal in memory).
   */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const readonly = options.readonly ?? false;
    const inMemory = file === ':memory:' || file === '';
    if (!inMemory && !readonly) createPrivateFile(file);
    const db = new BetterSqlite3(file, { readonly, fileMustExist: readonly });
    try {
      configure(db, { readonly, inMemory, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
      if (readonly) {
        // Cannot migrate without write access; refuse rather than fail later on
        // a missing column in the middle of an open.
        const version = schemaVersion(db);
        if (version !== LATEST_SCHEMA_VERSION) {
          throw new Error(
            `${file}: schema version ${version}, this build needs ${LATEST_SCHEMA_VERSION}; ` +
              'open it once read-write to migrate',
          );
        }
      } else {
        migrate(db);
      }
      return new SqliteStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(db: Database) {
    this.db = db;
    this.stmtGetProduct = db.prepare(SQL.getProduct);
    this.stmtBestSellersInCategory = db.prepare(SQL.bestSellersInCategory);
    this.stmtBestSellers = db.prepare(SQL.bestSellers);
    this.stmtCountProducts = db.prepare(SQL.countProducts);
    this.stmtUpsertProduct = db.prepare(SQL.upsertProduct);
    this.stmtGetSubscriber = db.prepare(SQL.getSubscriber);
    this.stmtUpsertSubscriber = db.prepare(SQL.upsertSubscriber);
    this.stmtGetCampaign = db.prepare(SQL.getCampaign);
    this.stmtUpsertCampaign = db.prepare(SQL.upsertCampaign);

    // One transaction per batch: all rows land or none do, and one fsync per
    // batch instead of one per row.
    this.upsertProductsTx = db.transaction((products: readonly Product[]) => {
      for (const p of products) this.stmtUpsertProduct.run(productToRow(p));
    });
    this.upsertSubscribersTx = db.transaction((subscribers: readonly Subscriber[]) => {
      for (const s of subscribers) this.stmtUpsertSubscriber.run(subscriberToRow(s));
    });
    this.upsertCampaignsTx = db.transaction((campaigns: readonly Campaign[]) => {
      for (const c of campaigns) this.stmtUpsertCampaign.run(campaignToRow(c));
    });
    this.stmtRecordImpression = db.prepare(SQL.recordImpression);
    this.stmtGetImpression = db.prepare(SQL.getImpression);
    this.stmtPruneImpressions = db.prepare(
      'DELETE FROM impressions WHERE (subscriber_id, campaign_id, block_id) IN (SELECT subscriber_id, campaign_id, block_id FROM impressions WHERE rendered_at < ? ORDER BY rendered_at LIMIT ?)',
    );
    this.recordImpressionsTx = db.transaction((impressions: readonly Impression[]) => {
      for (const i of impressions) this.stmtRecordImpression.run(impressionToRow(i));
    });
    this.ingest = new SqliteIngest(db, {
      readProduct: (id) => {
        const row = this.stmtGetProduct.get(id);
        return row ? productFromRow(row) : undefined;
      },
      writeProduct: (product) => this.stmtUpsertProduct.run(productToRow(product)),
      readSubscriber: (id) => {
        const row = this.stmtGetSubscriber.get(id);
        return row ? subscriberFromRow(row) : undefined;
      },
      writeSubscriber: (subscriber) => this.stmtUpsertSubscriber.run(subscriberToRow(subscriber)),
    });
    this.renderLog = new SqliteRenderLog(db);
    this.blockLocks = new SqliteBlockLocks(db);
  }

  /** The applied schema version (for health checks and tests). */
  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** The journal mode actually in effect: "wal" for a file, "memory" for `:memory:`. */
  journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  /** EXPLAIN QUERY PLAN detail lines for one of the store's statements (for tests and diagnostics). */
  explain(name: keyof typeof SQL, ...params: unknown[]): string[] {
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${SQL[name]}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail);
  }

  async getProduct(id: string): Promise<Product | undefined> {
    const row = this.stmtGetProduct.get(id);
    return row ? productFromRow(row) : undefined;
  }

  /**
   * One primary-key lookup per id through the prepared statement: for the
   * handful of ids an open asks for, that is as fast as an IN (...) query,
   * keeps the asked order for free and needs no per-arity statement. A
   * repeated id is returned once, at its first position.
   */
  async getProducts(ids: readonly string[]): Promise<Product[]> {
    const seen = new Set<string>();
    const out: Product[] = [];
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const row = this.stmtGetProduct.get(id);
      if (row) out.push(productFromRow(row));
    }
    return out;
  }

  async bestSellersInCategory(
    category: string,
    limit: number,
    excludeIds: readonly string[] = [],
  ): Promise<Product[]> {
    return this.bestSellersVia(limit, excludeIds, (n) => this.stmtBestSellersInCategory.iterate(category, n));
  }

  async bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.bestSellersVia(limit, excludeIds, (n) => this.stmtBestSellers.iterate(n));
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
  private bestSellersVia(
    limit: number,
    excludeIds: readonly string[],
    fetch: (n: number) => Iterable<ProductRow>,
  ): Product[] {
    const want = rowLimit(limit);
    if (want === 0) return [];
    const excluded = new Set(excludeIds);
    const out: Product[] = [];
    for (const row of fetch(want + excluded.size)) {
      if (excluded.has(row.id)) continue;
      out.push(productFromRow(row));
      if (out.length === want) break;
    }
    return out;
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    const row = this.stmtGetSubscriber.get(id);
    return row ? subscriberFromRow(row) : undefined;
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const row = this.stmtGetCampaign.get(id);
    return row ? campaignFromRow(row) : undefined;
  }

  async upsertProducts(products: readonly Product[]): Promise<void> {
    if (products.length > 0) this.upsertProductsTx(products);
  }

  async upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
    if (subscribers.length > 0) this.upsertSubscribersTx(subscribers);
  }

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    if (campaigns.length > 0) this.upsertCampaignsTx(campaigns);
  }

  async countProducts(): Promise<number> {
    return this.stmtCountProducts.get()?.n ?? 0;
  }

  async applyProductPatches(patches: readonly ProductPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult> {
    return this.ingest.applyProductPatches(patches, options.now, options.onIncomplete);
  }

  async applySubscriberPatches(patches: readonly SubscriberPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult> {
    return this.ingest.applySubscriberPatches(patches, options.now, options.onIncomplete);
  }

  async applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult> {
    return this.ingest.applySubscriberEvents(events, options.now);
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<void> {
    if (impressions.length > 0) this.recordImpressionsTx(impressions);
  }

  async getImpression(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    const row = this.stmtGetImpression.get(subscriberId, campaignId, blockId);
    return row ? impressionFromRow(row) : undefined;
  }

  // Render log, clicks and locks (issue 6): SQL in render-log/sqlite-render-log.ts and data/locks-sqlite.ts.
  async recordRenders(records: readonly RenderRecord[]): Promise<void> {
    this.renderLog.recordRenders(records);
  }

  async recordClicks(records: readonly ClickRecord[]): Promise<void> {
    this.renderLog.recordClicks(records);
  }

  async pruneRenderLog(before: Date, limit: number): Promise<number> {
    return this.renderLog.prune(before, limit);
  }

  async campaignReportCounts(campaignId: string): Promise<ReportCounts[]> {
    return this.renderLog.campaignReportCounts(campaignId);
  }

  async getBlockLock(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
    return this.blockLocks.get(campaignId, blockId, subscriberId);
  }

  async insertBlockLocks(locks: readonly FrozenView[]): Promise<boolean[]> {
    return this.blockLocks.insert(locks);
  }

  async pruneBlockLocks(before: Date, limit: number): Promise<number> {
    return this.blockLocks.prune(before, limit);
  }

  async pruneImpressions(before: Date, limit: number): Promise<number> {
    return this.stmtPruneImpressions.run(before.toISOString(), limit).changes;
  }

  async pruneIngestedEvents(before: Date, limit: number): Promise<number> {
    return this.ingest.pruneEventIds(before, limit);
  }

  async pruneCartEventTimes(before: Date, limit: number): Promise<number> {
    return this.ingest.pruneCartTimes(before, limit);
  }

  /** Idempotent: closing twice is harmless (shutdown paths tend to overlap). */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * Creates the database file (and its directory) readable by this user only:
 * it holds subscribers' profiles, carts and purchases, as private as the
 * signing keys beside it (0600). SQLite gives the -wal and -shm files the
 * mode of the database file, so they are private too. An existing file keeps
 * its mode, and an existing directory is left as it is.
 */
function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  // "a" creates a missing file and never truncates; the mode applies only on creation.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

function configure(
  db: Database,
  opts: { readonly: boolean; inMemory: boolean; busyTimeoutMs: number },
): void {
  // Wait for another connection's lock instead of failing at once with
  // SQLITE_BUSY (the CLI importer and the server may share the file).
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
  if (!opts.readonly && !opts.inMemory) {
    // WAL: readers (every email open) never block on the writer (ingestion),
    // and the writer never blocks readers. The mode is stored in the file.
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    if (mode.toLowerCase() !== 'wal') {
      throw new Error(`could not switch the database to WAL journal mode (got "${mode}")`);
    }
  }
  // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a
  // committed transaction survives a process crash but can be lost on power
  // failure or OS crash. Ingestion acknowledges writes to its callers (stock,
  // prices, carts); an acknowledged write must not vanish. Commits here are
  // batched and rare next to reads, and reads never fsync, so FULL costs opens
  // nothing.
  db.pragma('synchronous = FULL');
}
