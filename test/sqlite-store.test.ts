import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Campaign, Product, Subscriber } from '../src/data/model';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from '../src/storage/sqlite/migrations';
import { SQL, SqliteStore } from '../src/data/sqlite-store';
import {
  DEMO_CAMPAIGN_IDS,
  DEMO_LOYALTY_TIERS,
  DEMO_PRODUCT_IDS,
  DEMO_SUBSCRIBER_CASES,
  DEMO_SUBSCRIBER_IDS,
  buildDemoDataset,
} from '../src/data/demo-data';
import { refreshDemoCampaignDeadlines, seedDemoDataIfEmpty } from '../src/data/seed';

const NOW = new Date('2025-03-10T14:23:45.000Z');
const BASE_URL = 'https://opentime.example';

function product(id: string, over: Partial<Product> = {}): Product {
  return {
    id,
    name: `Product ${id}`,
    url: `https://shop.example/products/${id}`,
    image: `${BASE_URL}/demo/products/${id}.png`,
    category: 'coats',
    price: 100,
    salePrice: null,
    currency: 'EUR',
    stock: 10,
    popularity: 1,
    updatedAt: '2025-03-01T00:00:00.000Z',
    ...over,
  };
}

describe('SqliteStore on a file', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-store-'));
    // A nested, not-yet-existing directory: open() must create it.
    file = path.join(dir, 'nested', 'data', 'opentime.sqlite');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent directory, uses WAL, and migrates to the latest version', async () => {
    const store = SqliteStore.open(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      expect(store.journalMode()).toBe('wal');
      expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    } finally {
      await store.close();
    }
  });

  it('is idempotent across restarts: version unchanged, migrations recorded once, data kept', async () => {
    const first = SqliteStore.open(file);
    await first.upsertProducts([product('a', { popularity: 5 })]);
    await first.close();
    await first.close(); // closing twice is harmless

    const second = SqliteStore.open(file);
    try {
      expect(second.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      expect(await second.getProduct('a')).toEqual(product('a', { popularity: 5 }));
      expect(await second.countProducts()).toBe(1);
    } finally {
      await second.close();
    }

    const raw = new BetterSqlite3(file);
    try {
      const rows = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
        version: number;
      }[];
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(schemaVersion(raw)).toBe(LATEST_SCHEMA_VERSION);
      // Running migrate again on an up-to-date database applies nothing.
      expect(migrate(raw)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
      // WAL is a property of the file, so a fresh connection sees it too.
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const store = SqliteStore.open(file);
    await store.close();
    const raw = new BetterSqlite3(file);
    raw
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(LATEST_SCHEMA_VERSION + 1, 'from the future', NOW.toISOString());
    raw.close();
    expect(() => SqliteStore.open(file)).toThrow(/newer than this build supports/);
  });

  it('opens read-only: reads work, writes are refused, a missing file is an error', async () => {
    const writer = SqliteStore.open(file);
    await writer.upsertProducts([product('a')]);
    await writer.close();

    const reader = SqliteStore.open(file, { readonly: true });
    try {
      expect(await reader.getProduct('a')).toEqual(product('a'));
      // better-sqlite3's native addon keeps the SqliteError class of the first jest
      // module registry that loaded it, so match the error's code, not its class.
      await expect(reader.upsertProducts([product('b')])).rejects.toHaveProperty('code', 'SQLITE_READONLY');
    } finally {
      await reader.close();
    }
    expect(() => SqliteStore.open(path.join(dir, 'missing.sqlite'), { readonly: true })).toThrow();
  });

  it('serves best-sellers from the partial indexes even without the INDEXED BY hint', async () => {
    const store = SqliteStore.open(file);
    await store.close();
    const raw = new BetterSqlite3(file);
    try {
      // The hint makes prepare() fail if the index is unusable; this checks the
      // planner would also choose it unaided (so the hint never fights it).
      const unhinted = (sql: string): string => sql.replace(/ INDEXED BY \w+/, '');
      const plan = (sql: string, ...params: unknown[]): string[] =>
        (raw.prepare(`EXPLAIN QUERY PLAN ${unhinted(sql)}`).all(...params) as { detail: string }[]).map(
          (r) => r.detail,
        );
      expect(plan(SQL.bestSellersInCategory, 'coats', 10).join('\n')).toMatch(
        /USING INDEX products_best_sellers_by_category/,
      );
      expect(plan(SQL.bestSellers, 10).join('\n')).toMatch(/USING INDEX products_best_sellers\b/);
    } finally {
      raw.close();
    }
  });
});

describe('SqliteStore in memory', () => {
  let store: SqliteStore;

  beforeEach(() => {
    store = SqliteStore.open(':memory:');
  });

  afterEach(async () => {
    await store.close();
  });

  it('migrates an in-memory database (no WAL there: SQLite keeps the journal in memory)', () => {
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(store.journalMode()).toBe('memory');
  });

  it('round-trips every product field, including a null sale price, and updates on conflict', async () => {
    const onSale = product('p-sale', {
      name: 'Wool “Overcoat”, Camel — 漢字',
      category: 'knitwear',
      price: 79.9,
      salePrice: 59.95,
      currency: 'GBP',
      stock: 3,
      popularity: 42,
      updatedAt: '2025-03-09T08:00:00.000Z',
    });
    const fullPrice = product('p-full', { salePrice: null, currency: 'JPY', price: 4800, stock: 0 });
    await store.upsertProducts([onSale, fullPrice]);

    expect(await store.getProduct('p-sale')).toEqual(onSale);
    expect(await store.getProduct('p-full')).toEqual(fullPrice);
    expect(await store.getProduct('nope')).toBeUndefined();

    const changed = { ...onSale, salePrice: null, stock: 0, name: 'Renamed' };
    await store.upsertProducts([changed]);
    expect(await store.getProduct('p-sale')).toEqual(changed);
    expect(await store.countProducts()).toBe(2);
  });

  it('round-trips every subscriber field, including nulls and arrays', async () => {
    const full: Subscriber = {
      id: 's1',
      firstName: 'ليلى',
      locale: 'ar-EG',
      timeZone: 'Africa/Cairo',
      currency: 'EGP',
      country: 'EG',
      city: 'القاهرة',
      loyaltyPoints: 15200,
      loyaltyTier: 'Platinum',
      recentViews: ['a', 'b', 'c'],
      cart: ['b'],
      purchases: ['x', 'y'],
      updatedAt: '2025-03-10T10:00:00.000Z',
    };
    const sparse: Subscriber = {
      id: 's2',
      firstName: 'Noah',
      locale: 'en-US',
      timeZone: 'America/Los_Angeles',
      currency: 'USD',
      country: null,
      city: null,
      loyaltyPoints: 0,
      loyaltyTier: null,
      recentViews: [],
      cart: [],
      purchases: [],
      updatedAt: '2025-03-10T11:00:00.000Z',
    };
    await store.upsertSubscribers([full, sparse]);
    expect(await store.getSubscriber('s1')).toEqual(full);
    expect(await store.getSubscriber('s2')).toEqual(sparse);
    expect(await store.getSubscriber('nope')).toBeUndefined();

    const updated = { ...full, loyaltyTier: null, city: null, cart: [], recentViews: ['z'] };
    await store.upsertSubscribers([updated]);
    expect(await store.getSubscriber('s1')).toEqual(updated);
  });

  it('round-trips campaigns, including a null deadline', async () => {
    const withDeadline: Campaign = {
      id: 'c1',
      name: 'Flash Sale',
      endsAt: '2025-03-13T14:00:00.000Z',
      allowedSenders: ['news@shop.example', 'shop.example'],
    };
    const open: Campaign = { id: 'c2', name: 'Evergreen', endsAt: null, allowedSenders: [] };
    await store.upsertCampaigns([withDeadline, open]);
    expect(await store.getCampaign('c1')).toEqual(withDeadline);
    expect(await store.getCampaign('c2')).toEqual(open);
    expect(await store.getCampaign('nope')).toBeUndefined();
  });

  it('writes a batch atomically: one bad row rolls back the whole batch', async () => {
    const bad = product('bad', { stock: 'many' as unknown as number }); // STRICT column rejects text
    await expect(store.upsertProducts([product('good'), bad])).rejects.toHaveProperty('code', 'SQLITE_CONSTRAINT_DATATYPE');
    expect(await store.countProducts()).toBe(0);
  });

  it('getProducts keeps the asked order, drops unknown ids and repeats', async () => {
    await store.upsertProducts([product('a'), product('b'), product('c')]);
    const got = await store.getProducts(['c', 'unknown', 'a', 'c', 'b']);
    expect(got.map((p) => p.id)).toEqual(['c', 'a', 'b']);
    expect(await store.getProducts([])).toEqual([]);
  });

  describe('best-sellers', () => {
    beforeEach(async () => {
      await store.upsertProducts([
        product('coat-top-sold-out', { category: 'coats', popularity: 1000, stock: 0 }),
        product('coat-1', { category: 'coats', popularity: 900 }),
        product('coat-2', { category: 'coats', popularity: 800, stock: 1 }),
        product('coat-3b', { category: 'coats', popularity: 700 }),
        product('coat-3a', { category: 'coats', popularity: 700 }), // tie: id breaks it
        product('coat-4', { category: 'coats', popularity: 100 }),
        product('shoe-1', { category: 'shoes', popularity: 950 }),
        product('shoe-2', { category: 'shoes', popularity: 850, stock: 0 }),
        product('bag-1', { category: 'bags', popularity: 750 }),
      ]);
    });

    it('orders a category by popularity, in stock only, with a stable tie-break', async () => {
      const ids = (await store.bestSellersInCategory('coats', 10)).map((p) => p.id);
      expect(ids).toEqual(['coat-1', 'coat-2', 'coat-3a', 'coat-3b', 'coat-4']);
    });

    it('respects the limit and excludes ids, still filling the limit', async () => {
      expect((await store.bestSellersInCategory('coats', 2)).map((p) => p.id)).toEqual(['coat-1', 'coat-2']);
      const excluded = await store.bestSellersInCategory('coats', 2, ['coat-1', 'coat-3a', 'shoe-1', 'coat-1']);
      expect(excluded.map((p) => p.id)).toEqual(['coat-2', 'coat-3b']);
      // Exclusions beyond what the category has leave fewer rows, never an error.
      const most = await store.bestSellersInCategory('coats', 10, ['coat-1', 'coat-2', 'coat-3a', 'coat-3b']);
      expect(most.map((p) => p.id)).toEqual(['coat-4']);
    });

    it('returns nothing for a limit of 0, a negative limit or an unknown category', async () => {
      expect(await store.bestSellersInCategory('coats', 0)).toEqual([]);
      expect(await store.bestSellers(-3)).toEqual([]);
      expect(await store.bestSellersInCategory('hats', 5)).toEqual([]);
    });

    it('orders the whole catalogue the same way, across categories', async () => {
      expect((await store.bestSellers(4)).map((p) => p.id)).toEqual(['shoe-1', 'coat-1', 'coat-2', 'bag-1']);
      expect((await store.bestSellers(3, ['shoe-1', 'bag-1'])).map((p) => p.id)).toEqual([
        'coat-1',
        'coat-2',
        'coat-3a',
      ]);
    });

    it('picks up stock changes: selling out removes a product, restocking brings it back', async () => {
      await store.upsertProducts([product('coat-1', { category: 'coats', popularity: 900, stock: 0 })]);
      expect((await store.bestSellersInCategory('coats', 1)).map((p) => p.id)).toEqual(['coat-2']);
      await store.upsertProducts([product('coat-top-sold-out', { category: 'coats', popularity: 1000, stock: 4 })]);
      expect((await store.bestSellersInCategory('coats', 1)).map((p) => p.id)).toEqual(['coat-top-sold-out']);
    });
  });

  it('EXPLAIN QUERY PLAN: best-seller queries walk an index, never the table, never sort', () => {
    const inCategory = store.explain('bestSellersInCategory', 'coats', 10);
    const overall = store.explain('bestSellers', 10);
    for (const plan of [inCategory, overall]) {
      expect(plan.length).toBeGreaterThan(0);
      for (const line of plan) {
        // A full-table scan reads "SCAN products" with no index; an ordered
        // walk of an index reads "SCAN products USING INDEX …" and stops at LIMIT.
        expect(line).not.toMatch(/^SCAN products$/);
        expect(line).toMatch(/USING (COVERING )?INDEX products_best_sellers/);
        expect(line).not.toMatch(/TEMP B-TREE/);
      }
    }
    expect(inCategory.join('\n')).toMatch(/SEARCH products USING INDEX products_best_sellers_by_category \(category=\?\)/);
    expect(overall.join('\n')).toMatch(/INDEX products_best_sellers\b/);
  });
});

describe('demo dataset', () => {
  const demo = buildDemoDataset({ baseUrl: `${BASE_URL}/`, now: NOW });
  const byId = new Map(demo.products.map((p) => [p.id, p]));

  it('is deterministic', () => {
    expect(buildDemoDataset({ baseUrl: `${BASE_URL}/`, now: NOW })).toEqual(demo);
  });

  it('has a realistic catalogue: ≥60 products in ≥5 categories, every stock state, sales', () => {
    expect(demo.products.length).toBeGreaterThanOrEqual(60);
    expect(byId.size).toBe(demo.products.length); // ids unique
    expect(new Set(demo.products.map((p) => p.category)).size).toBeGreaterThanOrEqual(5);

    const inStock = demo.products.filter((p) => p.stock > 5);
    const lowStock = demo.products.filter((p) => p.stock >= 1 && p.stock <= 5);
    const soldOut = demo.products.filter((p) => p.stock === 0);
    const onSale = demo.products.filter((p) => p.salePrice !== null);
    expect(inStock.length).toBeGreaterThan(0);
    expect(lowStock.length).toBeGreaterThan(0);
    expect(soldOut.length).toBeGreaterThan(0);
    expect(onSale.length).toBeGreaterThanOrEqual(3);

    for (const p of demo.products) {
      expect(p.price).toBeGreaterThan(0);
      if (p.salePrice !== null) expect(p.salePrice).toBeLessThan(p.price);
      expect(Number.isInteger(p.stock) && p.stock >= 0).toBe(true);
      expect(p.image).toBe(`${BASE_URL}/demo/products/${p.id}.png`);
      expect(p.url).toBe(`https://shop.example/products/${p.id}`);
      expect(Number.isNaN(Date.parse(p.updatedAt))).toBe(false);
      if (p.currency === 'JPY') expect(Number.isInteger(p.price)).toBe(true);
    }
    const currencies = new Set(demo.products.map((p) => p.currency));
    expect([...currencies].sort()).toEqual(['EUR', 'GBP', 'JPY', 'USD']);
    expect(demo.products.filter((p) => p.currency === 'EUR').length).toBeGreaterThan(demo.products.length / 2);
    expect(new Set(demo.products.map((p) => p.popularity)).size).toBeGreaterThan(40);
  });

  it('exports product ids that really are in those states', () => {
    const get = (id: string): Product => {
      const p = byId.get(id);
      if (!p) throw new Error(`missing demo product ${id}`);
      return p;
    };
    expect(get(DEMO_PRODUCT_IDS.inStock).stock).toBeGreaterThan(5);
    expect(get(DEMO_PRODUCT_IDS.lowStock).stock).toBeGreaterThanOrEqual(1);
    expect(get(DEMO_PRODUCT_IDS.lowStock).stock).toBeLessThanOrEqual(5);
    expect(get(DEMO_PRODUCT_IDS.soldOut).stock).toBe(0);
    const sale = get(DEMO_PRODUCT_IDS.onSale);
    expect(sale.salePrice).not.toBeNull();
    expect(sale.stock).toBeGreaterThan(0);
  });

  it('has ≥10 subscribers across ≥8 locales and time zones, each valid for Intl', () => {
    expect(demo.subscribers.length).toBeGreaterThanOrEqual(10);
    expect(new Set(demo.subscribers.map((s) => s.id)).size).toBe(demo.subscribers.length);
    expect(new Set(demo.subscribers.map((s) => s.locale)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(demo.subscribers.map((s) => s.timeZone)).size).toBeGreaterThanOrEqual(8);
    for (const s of demo.subscribers) {
      expect(() => new Intl.DateTimeFormat(s.locale, { timeZone: s.timeZone }).format(NOW)).not.toThrow();
      expect(() => new Intl.NumberFormat(s.locale, { style: 'currency', currency: s.currency })).not.toThrow();
    }
    expect(Object.values(DEMO_SUBSCRIBER_IDS).sort()).toEqual(demo.subscribers.map((s) => s.id).sort());
  });

  it('gives loyalty tiers consistent with points, and one subscriber without a tier', () => {
    const tierFor = (points: number): string | null =>
      [...DEMO_LOYALTY_TIERS].reverse().find((t) => points >= t.minPoints)?.name ?? null;
    for (const s of demo.subscribers) expect(s.loyaltyTier).toBe(tierFor(s.loyaltyPoints));
    expect(new Set(demo.subscribers.map((s) => s.loyaltyTier))).toEqual(
      new Set(['Bronze', 'Silver', 'Gold', 'Platinum', null]),
    );
    const noTier = demo.subscribers.find((s) => s.id === DEMO_SUBSCRIBER_CASES.noTier);
    expect(noTier).toMatchObject({ loyaltyTier: null, loyaltyPoints: 0 });
  });

  it('has histories that reference real products and cover the interesting cases', () => {
    for (const s of demo.subscribers) {
      for (const id of [...s.recentViews, ...s.cart, ...s.purchases]) expect(byId.has(id)).toBe(true);
    }
    const sub = (id: string): Subscriber => {
      const s = demo.subscribers.find((x) => x.id === id);
      if (!s) throw new Error(`missing demo subscriber ${id}`);
      return s;
    };
    expect(sub(DEMO_SUBSCRIBER_CASES.viewedSoldOut).recentViews.some((id) => byId.get(id)?.stock === 0)).toBe(true);
    const lena = sub(DEMO_SUBSCRIBER_CASES.viewedAlreadyPurchased);
    expect(lena.recentViews.some((id) => lena.purchases.includes(id))).toBe(true);
    const empty = sub(DEMO_SUBSCRIBER_CASES.emptyHistory);
    expect([empty.recentViews, empty.cart, empty.purchases]).toEqual([[], [], []]);
    const rtl = sub(DEMO_SUBSCRIBER_CASES.rightToLeft);
    expect(rtl.locale).toBe('ar-EG');
    expect(rtl.firstName).toMatch(/^[\u0600-\u06FF]+$/);
  });

  it('has one live campaign (now + 3 days, on the hour) and one that ended 2 days ago', () => {
    const flash = demo.campaigns.find((c) => c.id === DEMO_CAMPAIGN_IDS.flashSale);
    const spring = demo.campaigns.find((c) => c.id === DEMO_CAMPAIGN_IDS.springSale);
    expect(flash?.endsAt).toBe('2025-03-13T14:00:00.000Z');
    expect(spring?.endsAt).toBe('2025-03-08T14:00:00.000Z');
    expect(Date.parse(flash?.endsAt ?? '')).toBeGreaterThan(NOW.getTime());
    expect(Date.parse(spring?.endsAt ?? '')).toBeLessThan(NOW.getTime());
    for (const c of demo.campaigns) expect(c.allowedSenders).toEqual(['news@shop.example']);
  });
});

describe('seeding', () => {
  let store: SqliteStore;

  beforeEach(() => {
    store = SqliteStore.open(':memory:');
  });

  afterEach(async () => {
    await store.close();
  });

  it('seeds an empty database once, then leaves it alone', async () => {
    const demo = buildDemoDataset({ baseUrl: BASE_URL, now: NOW });
    expect(await seedDemoDataIfEmpty(store, { baseUrl: BASE_URL, now: NOW })).toBe(true);
    expect(await store.countProducts()).toBe(demo.products.length);
    expect(await store.getSubscriber(DEMO_SUBSCRIBER_IDS.layla)).toEqual(
      demo.subscribers.find((s) => s.id === DEMO_SUBSCRIBER_IDS.layla),
    );
    expect(await store.getProduct(DEMO_PRODUCT_IDS.onSale)).toEqual(byIdOf(demo.products, DEMO_PRODUCT_IDS.onSale));

    expect(await seedDemoDataIfEmpty(store, { baseUrl: 'https://elsewhere.example', now: new Date() })).toBe(false);
    expect((await store.getProduct(DEMO_PRODUCT_IDS.inStock))?.image.startsWith(BASE_URL)).toBe(true);

    // The demo's sold-out best-seller never shows among best-sellers.
    const top = await store.bestSellers(10);
    expect(top.map((p) => p.id)).not.toContain(DEMO_PRODUCT_IDS.soldOut);
    expect(top.every((p) => p.stock > 0)).toBe(true);
  });

  it('does not seed a database that already has a catalogue', async () => {
    await store.upsertProducts([product('real-product')]);
    expect(await seedDemoDataIfEmpty(store, { baseUrl: BASE_URL, now: NOW })).toBe(false);
    expect(await store.countProducts()).toBe(1);
  });

  it('refreshes demo deadlines relative to a later now, keeping edited fields', async () => {
    await seedDemoDataIfEmpty(store, { baseUrl: BASE_URL, now: NOW });
    const edited = await store.getCampaign(DEMO_CAMPAIGN_IDS.flashSale);
    if (!edited) throw new Error('flash sale not seeded');
    await store.upsertCampaigns([{ ...edited, allowedSenders: ['shop.example'] }]);

    const later = new Date(NOW.getTime() + 30 * 24 * 3_600_000);
    await refreshDemoCampaignDeadlines(store, later);
    const flash = await store.getCampaign(DEMO_CAMPAIGN_IDS.flashSale);
    const spring = await store.getCampaign(DEMO_CAMPAIGN_IDS.springSale);
    expect(flash).toEqual({ ...edited, allowedSenders: ['shop.example'], endsAt: '2025-04-12T14:00:00.000Z' });
    expect(spring?.endsAt).toBe('2025-04-07T14:00:00.000Z');
  });

  it('refreshing deadlines creates the demo campaigns when missing', async () => {
    await refreshDemoCampaignDeadlines(store, NOW);
    expect((await store.getCampaign(DEMO_CAMPAIGN_IDS.springSale))?.name).toBe('Spring Sale');
  });
});

function byIdOf(products: readonly Product[], id: string): Product | undefined {
  return products.find((p) => p.id === id);
}
