import fs from 'node:fs';
import path from 'node:path';
import type { Product, Subscriber } from '../src/data/model';
import {
  DEMO_CAMPAIGN_IDS,
  DEMO_LOYALTY_TIERS,
  DEMO_PRODUCT_IDS,
  DEMO_SUBSCRIBER_CASES,
  DEMO_SUBSCRIBER_IDS,
  buildDemoDataset,
} from '../src/data/demo-data';
import { refreshDemoCampaignDeadlines, refreshDemoPictureUrls, seedDemoDataIfEmpty } from '../src/data/seed';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { product } from './storage/contract';

const NOW = new Date('2025-03-10T14:23:45.000Z');
const BASE_URL = 'https://opentime.example';

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

  it('has a campaign named after each demo template, so `opentime email --campaign <template>` finds it', () => {
    expect(demo.campaigns.map((c) => [c.id, c.endsAt === null, c.templates])).toEqual([
      ['flash-sale', false, ['flash-sale']],
      ['spring-sale', false, ['flash-sale']],
      ['loyalty-update', true, ['loyalty-update']],
      ['style-survey', true, ['style-survey']],
      ['welcome', true, ['welcome']],
    ]);
    const templates = fs.readdirSync(path.join(__dirname, '..', 'amp-templates')).filter((file) => file.endsWith('.amp.html'));
    for (const file of templates) expect(demo.campaigns.map((c) => c.id)).toContain(file.replace(/\.amp\.html$/, ''));
  });
});

describe('seeding', () => {
  let storage: SqliteStorage;

  beforeEach(() => {
    storage = openSqliteStorage(':memory:');
  });

  afterEach(async () => {
    await storage.close();
  });

  it('seeds an empty database once, then leaves it alone', async () => {
    const demo = buildDemoDataset({ baseUrl: BASE_URL, now: NOW });
    expect(await seedDemoDataIfEmpty(storage, { baseUrl: BASE_URL, now: NOW })).toBe(true);
    expect(await storage.ingestion.countProducts()).toBe(demo.products.length);
    expect(await storage.catalogue.getSubscriber(DEMO_SUBSCRIBER_IDS.layla)).toEqual(
      demo.subscribers.find((s) => s.id === DEMO_SUBSCRIBER_IDS.layla),
    );
    expect(await storage.catalogue.getProduct(DEMO_PRODUCT_IDS.onSale)).toEqual(byIdOf(demo.products, DEMO_PRODUCT_IDS.onSale));

    expect(await seedDemoDataIfEmpty(storage, { baseUrl: 'https://elsewhere.example', now: new Date() })).toBe(false);
    expect((await storage.catalogue.getProduct(DEMO_PRODUCT_IDS.inStock))?.image.startsWith(BASE_URL)).toBe(true);

    // The demo's sold-out best-seller never shows among best-sellers.
    const top = await storage.catalogue.bestSellers(10);
    expect(top.map((p) => p.id)).not.toContain(DEMO_PRODUCT_IDS.soldOut);
    expect(top.every((p) => p.stock > 0)).toBe(true);
  });

  it('does not seed a database that already has a catalogue', async () => {
    await storage.ingestion.upsertProducts([product('real-product')]);
    expect(await seedDemoDataIfEmpty(storage, { baseUrl: BASE_URL, now: NOW })).toBe(false);
    expect(await storage.ingestion.countProducts()).toBe(1);
  });

  it('refreshes demo deadlines relative to a later now, keeping edited fields', async () => {
    await seedDemoDataIfEmpty(storage, { baseUrl: BASE_URL, now: NOW });
    const edited = await storage.catalogue.getCampaign(DEMO_CAMPAIGN_IDS.flashSale);
    if (!edited) throw new Error('flash sale not seeded');
    await storage.campaigns.upsertCampaigns([{ ...edited, allowedSenders: ['shop.example'] }]);

    const later = new Date(NOW.getTime() + 30 * 24 * 3_600_000);
    await refreshDemoCampaignDeadlines(storage, later);
    const flash = await storage.catalogue.getCampaign(DEMO_CAMPAIGN_IDS.flashSale);
    const spring = await storage.catalogue.getCampaign(DEMO_CAMPAIGN_IDS.springSale);
    expect(flash).toEqual({ ...edited, allowedSenders: ['shop.example'], endsAt: '2025-04-12T14:00:00.000Z' });
    expect(spring?.endsAt).toBe('2025-04-07T14:00:00.000Z');
  });

  it('gives demo campaigns seeded before campaigns had markets and templates the demo ones', async () => {
    await seedDemoDataIfEmpty(storage, { baseUrl: BASE_URL, now: NOW });
    const seeded = await storage.catalogue.getCampaign(DEMO_CAMPAIGN_IDS.flashSale);
    if (!seeded) throw new Error('flash sale not seeded');
    await storage.campaigns.upsertCampaigns([{ ...seeded, markets: [], templates: [] }]);
    await refreshDemoCampaignDeadlines(storage, NOW);
    expect(await storage.catalogue.getCampaign(DEMO_CAMPAIGN_IDS.flashSale)).toEqual(seeded);
  });

  it('moves the demo pictures to a new public URL or port, keeping a picture given since seeding', async () => {
    await seedDemoDataIfEmpty(storage, { baseUrl: 'http://localhost:8080', now: NOW });
    const given = await storage.catalogue.getProduct(DEMO_PRODUCT_IDS.lowStock);
    if (!given) throw new Error('low-stock product not seeded');
    await storage.ingestion.upsertProducts([{ ...given, image: 'https://cdn.shop.example/bag.jpg' }]);

    expect(await refreshDemoPictureUrls(storage, 'http://localhost:9090')).toBe(buildDemoDataset({ baseUrl: BASE_URL, now: NOW }).products.length - 1);
    expect((await storage.catalogue.getProduct(DEMO_PRODUCT_IDS.inStock))?.image).toBe(`http://localhost:9090/demo/products/${DEMO_PRODUCT_IDS.inStock}.png`);
    expect((await storage.catalogue.getProduct(DEMO_PRODUCT_IDS.lowStock))?.image).toBe('https://cdn.shop.example/bag.jpg');

    await refreshDemoPictureUrls(storage, 'https://email.shop.example/opentime/');
    expect((await storage.catalogue.getProduct(DEMO_PRODUCT_IDS.onSale))?.image).toBe(
      `https://email.shop.example/opentime/demo/products/${DEMO_PRODUCT_IDS.onSale}.png`,
    );
    // Nothing to move the second time.
    expect(await refreshDemoPictureUrls(storage, 'https://email.shop.example/opentime')).toBe(0);
  });

  it('refreshing deadlines creates the demo campaigns when missing', async () => {
    await refreshDemoCampaignDeadlines(storage, NOW);
    expect((await storage.catalogue.getCampaign(DEMO_CAMPAIGN_IDS.springSale))?.name).toBe('Spring Sale');
  });
});

function byIdOf(products: readonly Product[], id: string): Product | undefined {
  return products.find((p) => p.id === id);
}
