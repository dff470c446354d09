import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { DEMO_SUBSCRIBER_IDS } from '../src/data/demo-data';
import { priceIn } from '../src/data/market';
import type { Product, Subscriber } from '../src/data/model';
import { createFixture, type Fixture } from './helpers/app-fixture';
import { ampGet, viewOf } from './helpers/amp-request';

/**
 * MARKETS: a block shows every price in the subscriber's currency, and only
 * products sold in their country (README "Markets and currencies"). Run
 * against the real app with the demo data seeded.
 */

/** Every currency a demo subscriber shops in. */
const DEMO_CURRENCIES = ['EUR', 'GBP', 'USD', 'SEK', 'JPY', 'BRL', 'EGP'];

/** How `locale` writes the sign of `currency` ("$", "US$", "￥", "kr", "ج.م.‏"), read with formatToParts. */
function currencySign(locale: string, currency: string): string {
  const part = new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(1).find((p) => p.type === 'currency');
  if (!part) throw new Error(`no currency sign for ${currency} in ${locale}`);
  return part.value.trim();
}

const money = (amount: number, currency: string, locale: string): string => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);

/** Every string under a `price` or `originalPrice` key, anywhere in the JSON. */
function priceStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(priceStrings);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => (typeof item === 'string' && (key === 'price' || key === 'originalPrice') ? [item] : priceStrings(item)));
}

const idsOf = (view: Record<string, any>): string[] => (view.products as { id: string }[]).map((product) => product.id);

describe('markets: one currency per block', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  const product = async (id: string) => (await fixture.storage.catalogue.getProduct(id)) as Product;
  const setProduct = async (id: string, change: Partial<Product>) => fixture.storage.ingestion.upsertProducts([{ ...(await product(id)), ...change }]);
  const subscriberOf = async (id: string) => (await fixture.storage.catalogue.getSubscriber(id)) as Subscriber;

  test('every demo subscriber × every demo block: every price in the JSON is in the subscriber\'s currency, and no other currency appears', async () => {
    const subscribers = await Promise.all(Object.values(DEMO_SUBSCRIBER_IDS).map(subscriberOf));
    expect(new Set(subscribers.map((subscriber) => subscriber.currency))).toEqual(new Set(DEMO_CURRENCIES));
    let pricesChecked = 0;
    for (const subscriber of subscribers) {
      const own = currencySign(subscriber.locale, subscriber.currency);
      // Signs of other currencies as this locale writes them, unless they are part of the subscriber's own ("$" in "R$").
      const others = DEMO_CURRENCIES.filter((code) => code !== subscriber.currency)
        .map((code) => currencySign(subscriber.locale, code))
        .filter((sign) => !own.includes(sign));
      for (const blockId of fixture.blocks.keys()) {
        const response = await ampGet(fixture, blockId, fixture.token(subscriber.id));
        expect(response.status).toBe(200);
        const where = `${blockId} for ${subscriber.id} (${subscriber.locale}, ${subscriber.currency})`;
        for (const price of priceStrings(response.body)) {
          pricesChecked++;
          if (!price.includes(own)) throw new Error(`${where}: the price ${JSON.stringify(price)} is not in ${own}`);
        }
        const text = JSON.stringify(response.body);
        for (const sign of others) {
          if (text.includes(sign)) throw new Error(`${where}: ${JSON.stringify(sign)} appears in ${text}`);
        }
      }
    }
    // Every subscriber has at least the hero product's price and original price, and four picks.
    expect(pricesChecked).toBeGreaterThanOrEqual(subscribers.length * 6);
  });

  test('the hero product shows each subscriber its price list\'s amount in their currency, written their way', async () => {
    const jacket = await product('quilted-jacket-olive');
    for (const id of Object.values(DEMO_SUBSCRIBER_IDS)) {
      const subscriber = await subscriberOf(id);
      const expected = priceIn(jacket, subscriber.currency);
      if (!expected || expected.salePrice === null) throw new Error(`the demo jacket has no sale price in ${subscriber.currency}`);
      const view = await viewOf(fixture, 'hero-product', id);
      expect({ id, price: view.product.price, originalPrice: view.product.originalPrice }).toEqual({
        id,
        price: money(expected.salePrice, subscriber.currency, subscriber.locale),
        originalPrice: money(expected.price, subscriber.currency, subscriber.locale),
      });
    }
    expect((await viewOf(fixture, 'hero-product', DEMO_SUBSCRIBER_IDS.oliver)).product.price).toBe('£102.00');
    expect((await viewOf(fixture, 'hero-product', DEMO_SUBSCRIBER_IDS.yui)).product.price).toBe('￥19,600');
  });

  test('a product not sold in the subscriber\'s country is not recommended there: the leather tote is not sold in Japan', async () => {
    const yui = await viewOf(fixture, 'picks', DEMO_SUBSCRIBER_IDS.yui);
    expect(idsOf(yui)).toHaveLength(4);
    expect(idsOf(yui)).not.toContain('leather-tote-cognac');
    // Sold everywhere, it is one of her picks (the best-selling bag, and she looked at bags): the market is what kept it out.
    await setProduct('leather-tote-cognac', { markets: [] });
    expect(idsOf(await viewOf(fixture, 'picks', DEMO_SUBSCRIBER_IDS.yui))).toContain('leather-tote-cognac');
  });

  test('a subscriber without a country on record is in their locale\'s region', async () => {
    // Noah has no country; his locale is en-US. A product sold only in the US is still his.
    await setProduct('merino-crew-navy', { markets: ['US'], popularity: 5000 });
    expect(idsOf(await viewOf(fixture, 'picks', DEMO_SUBSCRIBER_IDS.noah))).toContain('merino-crew-navy');
    await setProduct('merino-crew-navy', { markets: ['CA'] });
    expect(idsOf(await viewOf(fixture, 'picks', DEMO_SUBSCRIBER_IDS.noah))).not.toContain('merino-crew-navy');
  });

  test('a product without a price in the subscriber\'s currency is left out of the picks, and the next candidate takes its place', async () => {
    const before = await viewOf(fixture, 'picks', DEMO_SUBSCRIBER_IDS.oliver);
    expect(idsOf(before)).toContain('lambswool-scarf-check');
    const { GBP: _gbp, ...withoutGbp } = (await product('lambswool-scarf-check')).prices;
    await setProduct('lambswool-scarf-check', { prices: withoutGbp });
    const after = await viewOf(fixture, 'picks', DEMO_SUBSCRIBER_IDS.oliver);
    expect(idsOf(after)).not.toContain('lambswool-scarf-check');
    expect(idsOf(after)).toHaveLength(4);
    for (const price of priceStrings(after)) expect(price).toMatch(/^£/);
  });

  test('a product block whose product is not sold in the market, or has no price in its currency, shows the best alternative without a note, else its fallback', async () => {
    await setProduct('quilted-jacket-olive', { markets: ['DE', 'FR'] });
    const oliver = await viewOf(fixture, 'hero-product', DEMO_SUBSCRIBER_IDS.oliver);
    expect(oliver.product.id).not.toBe('quilted-jacket-olive');
    expect(oliver.product.category).toBe('coats');
    expect(oliver.product.price).toMatch(/^£/);
    expect(oliver).toMatchObject({ note: null, swappedFrom: null });
    // Lena is in Germany: she still sees the jacket.
    expect((await viewOf(fixture, 'hero-product', DEMO_SUBSCRIBER_IDS.lena)).product.id).toBe('quilted-jacket-olive');

    // No coat has a price in pounds: nothing in one currency to show, so the fallback.
    for (const coat of await fixture.storage.catalogue.bestSellersInCategory('coats', 20)) {
      const { GBP: _gbp, ...rest } = coat.prices;
      await setProduct(coat.id, { prices: rest, currency: coat.currency === 'GBP' ? 'EUR' : coat.currency });
    }
    const fallback = await ampGet(fixture, 'hero-product', fixture.token(DEMO_SUBSCRIBER_IDS.oliver));
    expect(fallback.status).toBe(200);
    expect(fallback.body.items[0].kind).toBe('fallback');
  });

  test('a sold-out swap for a subscriber abroad stays in their currency', async () => {
    const view = await viewOf(fixture, 'parka-product', DEMO_SUBSCRIBER_IDS.yui);
    expect(view.swappedFrom).toEqual({ id: 'down-parka-black', name: 'Down Parka, Black' });
    expect(view.product.price).toMatch(/^￥/);
  });
});

describe('markets: generic renders', () => {
  const blocksYaml = (options: string) =>
    parseBlocksConfig(
      `blocks:\n  - { id: g, kind: recommendations, count: 6, defaultUrl: "https://shop.example"${options} }\n  - { id: h, kind: product, productId: barn-jacket-tan, defaultUrl: "https://shop.example"${options} }\n`,
      'inline',
    );
  const generic = async (fixture: Fixture, blockId: string) => viewOf(fixture, blockId, 'sub-not-on-record');

  test('without defaultCurrency: the currency of the first product shown, for every card', async () => {
    const fixture = await createFixture({ blocks: blocksYaml('') });
    const picks = await generic(fixture, 'g');
    expect(picks.products).toHaveLength(6);
    // The best-seller leads with a product priced in euros; the GBP, USD and JPY lines follow in euros too.
    for (const price of priceStrings(picks)) expect(price).toMatch(/^€/);
    // One product: its own currency.
    expect((await generic(fixture, 'h')).product.price).toBe('£245.00');
    await fixture.close();
  });

  test('with defaultCurrency: that currency, in the block\'s defaultLocale', async () => {
    const fixture = await createFixture({ blocks: blocksYaml(', defaultCurrency: SEK, defaultLocale: sv-SE') });
    const picks = await generic(fixture, 'g');
    expect(picks.products).toHaveLength(6);
    for (const price of priceStrings(picks)) expect(price).toMatch(/\u00a0kr$/);
    expect((await generic(fixture, 'h')).product.price).toBe(money(3280, 'SEK', 'sv-SE'));
    await fixture.close();
  });

  test('an unknown defaultCurrency stops start-up naming the block and what was expected', () => {
    expect(() => blocksYaml(', defaultCurrency: EURO')).toThrow(/defaultCurrency.*expected an ISO 4217 currency code/s);
  });
});
