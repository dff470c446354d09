import { parseBlocksConfig } from '../src/blocks/blocks-config';
import type { Product, Subscriber } from '../src/data/model';
import { createFixture, type Fixture } from './helpers/app-fixture';
import { ampGet, viewOf } from './helpers/amp-request';

interface Card {
  id: string;
  stockState: string;
  category: string;
}

describe('recommendations block', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  const subscriber = async (id: string): Promise<Subscriber> => (await fixture.storage.catalogue.getSubscriber(id)) as Subscriber;

  test('four in-stock picks from history, never something already bought', async () => {
    const lena = await subscriber('sub-lena');
    const boughtAndViewed = lena.recentViews.filter((id) => lena.purchases.includes(id));
    expect(boughtAndViewed.length).toBeGreaterThan(0); // the demo case this test is about

    const view = await viewOf(fixture, 'picks', 'sub-lena');
    const ids = view.products.map((card: Card) => card.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(lena.purchases).not.toContain(id);
    for (const card of view.products as Card[]) expect(card.stockState).not.toBe('sold_out');
    expect(view.title).toBe('Für dich ausgewählt, Lena');

    // Her own history comes first, in cart-then-views order.
    const history = [...new Set([...lena.cart, ...lena.recentViews])];
    const eligible = (await fixture.storage.catalogue.getProducts(history)).filter((p) => p.stock > 0 && !lena.purchases.includes(p.id)).map((p) => p.id);
    expect(ids.slice(0, Math.min(4, eligible.length))).toEqual(eligible.slice(0, 4));
  });

  test('a viewed sold-out item leads to best-sellers of its category', async () => {
    const oliver = await subscriber('sub-oliver');
    const viewed = await fixture.storage.catalogue.getProducts(oliver.recentViews);
    const soldOut = viewed.find((product) => product.stock === 0) as Product;
    expect(soldOut).toBeDefined();

    const view = await viewOf(fixture, 'picks', 'sub-oliver');
    const ids = view.products.map((card: Card) => card.id);
    expect(ids).not.toContain(soldOut.id);
    const fromCategory = view.products.filter((_: Card, i: number) => view.sources[i] === 'category') as Card[];
    expect(fromCategory.length).toBeGreaterThan(0);
    const viewedCategories = new Set(viewed.map((product) => product.category));
    for (const card of fromCategory) expect(viewedCategories).toContain(card.category);
  });

  test('an empty history falls back to the configured default list, then best-sellers', async () => {
    const view = await viewOf(fixture, 'picks', 'sub-noah');
    expect(view.products.slice(0, 2).map((card: Card) => card.id)).toEqual(['merino-crew-navy', 'quilted-jacket-olive']);
    expect(view.sources).toEqual(['default', 'default', 'bestsellers', 'bestsellers']);
    const best = await fixture.storage.catalogue.bestSellers(2, ['merino-crew-navy', 'quilted-jacket-olive']);
    expect(view.products.slice(2).map((card: Card) => card.id)).toEqual(best.map((p) => p.id));
  });

  test('rules can allow re-buying (e.g. consumables)', async () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: r, kind: recommendations, count: 12, historyDepth: 50, defaultUrl: "https://shop.example", excludeWhen: false }\n',
      'inline',
    );
    const local = await createFixture({ blocks });
    const lena = (await local.storage.catalogue.getSubscriber('sub-lena')) as Subscriber;
    const inStockBought = (await local.storage.catalogue.getProducts(lena.purchases)).filter((p) => p.stock > 0).map((p) => p.id);
    const view = await viewOf(local, 'r', 'sub-lena');
    const ids = view.products.map((card: Card) => card.id);
    expect(inStockBought.some((id) => ids.includes(id))).toBe(true);
    await local.close();
  });

  test('an unknown subscriber gets the generic best-sellers title', async () => {
    const view = await viewOf(fixture, 'picks', 'sub-nobody');
    expect(view.title).toBe('Our best-sellers');
    expect(view.products).toHaveLength(4);
  });

  test('stock changes take a product out of the picks at the next open', async () => {
    const first = await viewOf(fixture, 'picks', 'sub-lena');
    const pickedId = first.products[0].id as string;
    const product = (await fixture.storage.catalogue.getProduct(pickedId)) as Product;
    await fixture.storage.ingestion.upsertProducts([{ ...product, stock: 0 }]);
    const second = await viewOf(fixture, 'picks', 'sub-lena');
    expect(second.products.map((card: Card) => card.id)).not.toContain(pickedId);
  });
});

describe('loyalty block', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  test('balance, tier and progress to the next tier', async () => {
    const view = await viewOf(fixture, 'loyalty-status', 'sub-emma');
    // Emma: 2,750 points, Gold (2,500) → Platinum (10,000).
    expect(view).toMatchObject({
      greeting: 'Hi Emma, you are a Gold member',
      points: '2,750',
      balance: '2,750 points',
      tier: 'Gold',
      nextTier: 'Platinum',
      progressText: '7,250 points to Platinum',
      progressPercent: '3%',
    });
    expect(view.progress).toBeCloseTo(250 / 7500, 5);
  });

  test('the top tier says so, in German with German digits grouping', async () => {
    const view = await viewOf(fixture, 'loyalty-status', 'sub-lena');
    expect(view).toMatchObject({ tier: 'Platinum', nextTier: null, progress: 1, progressText: 'Du hast unsere höchste Stufe erreicht' });
    expect(view.points).toMatch(/^\d{1,3}(\.\d{3})+$/);
  });

  test('a subscriber without a tier and below the first threshold is not a member yet, on the way to the first tier', async () => {
    const view = await viewOf(fixture, 'loyalty-status', 'sub-noah');
    expect(view.member).toBe(false);
    expect(view.tier).toBe('Not a member yet');
    expect(view.points).toBe('0');
    expect(view.progressText).toBe('100 points to Bronze');
  });

  test('an unknown subscriber gets the configured fallback', async () => {
    const response = await ampGet(fixture, 'loyalty-status', fixture.token('sub-nobody'));
    expect(response.status).toBe(200);
    expect(response.body.items[0]).toMatchObject({ kind: 'fallback', headline: 'Join our rewards club' });
  });
});
