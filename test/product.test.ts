import { parseBlocksConfig } from '../src/blocks/blocks-config';
import type { Product, Subscriber } from '../src/data/model';
import { createFixture, type Fixture } from './helpers/app-fixture';
import { ampGet, viewOf } from './helpers/amp-request';

describe('product block', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  async function setProduct(id: string, change: Partial<Product>): Promise<void> {
    const product = (await fixture.storage.catalogue.getProduct(id)) as Product;
    await fixture.storage.ingestion.upsertProducts([{ ...product, ...change }]);
  }

  test('sale price with the original struck through, in the subscriber locale and currency', async () => {
    // Emma shops in USD: the jacket's USD price list entry, 175 → 131.
    const emma = await viewOf(fixture, 'hero-product', 'sub-emma');
    expect(emma.product).toMatchObject({
      id: 'quilted-jacket-olive',
      price: '$131.00',
      originalPrice: '$175.00',
      discount: '-25%',
      onSale: true,
      badge: { text: '-25% today', tone: 'success' },
    });
    const lena = await viewOf(fixture, 'hero-product', 'sub-lena');
    expect(lena.product).toMatchObject({ price: '119,00\u00a0€', originalPrice: '159,00\u00a0€', badge: { text: 'Heute -25\u00a0%' } });
    const camille = await viewOf(fixture, 'hero-product', 'sub-camille');
    expect(camille.product.price).toBe('119,00\u00a0€');
    expect(camille.product.badge.text).toBe('-25\u00a0% aujourd\'hui');
  });

  test('the low-stock badge appears only while stock is low, at the next open after a write', async () => {
    await setProduct('quilted-jacket-olive', { stock: 3 });
    const low = await viewOf(fixture, 'hero-product', 'sub-emma');
    expect(low.product.badge).toEqual({ text: 'Only 3 left', tone: 'warning' });
    expect(low.product.stockState).toBe('low_stock');

    await setProduct('quilted-jacket-olive', { stock: 40 });
    const restocked = await viewOf(fixture, 'hero-product', 'sub-emma');
    expect(restocked.product.badge.text).toBe('-25% today');
    expect(restocked.product.stockState).toBe('in_stock');
  });

  test('the default low-stock badge follows the block\'s own lowStockAtMost, as stockState does', async () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: p, kind: product, productId: quilted-jacket-olive, defaultUrl: "https://shop.example", lowStockAtMost: 10 }\n',
      'inline',
    );
    const local = await createFixture({ blocks });
    await local.storage.ingestion.upsertProducts([{ ...((await local.storage.catalogue.getProduct('quilted-jacket-olive')) as Product), stock: 8 }]);
    const view = await viewOf(local, 'p', 'sub-emma');
    expect(view.product.stockState).toBe('low_stock');
    expect(view.product.badge).toEqual({ text: 'Only 8 left', tone: 'warning' });
    await local.close();
  });

  test('a price change shows at the next open (cache invalidated on write)', async () => {
    expect((await viewOf(fixture, 'hero-product', 'sub-lena')).product.price).toBe('119,00\u00a0€');
    await setProduct('quilted-jacket-olive', { salePrice: 99 });
    expect((await viewOf(fixture, 'hero-product', 'sub-lena')).product.price).toBe('99,00\u00a0€');
  });

  test('a sold-out product is swapped for the best in-stock alternative of its category', async () => {
    const view = await viewOf(fixture, 'parka-product', 'sub-oliver');
    expect(view.swappedFrom).toEqual({ id: 'down-parka-black', name: 'Down Parka, Black' });
    expect(view.product.id).not.toBe('down-parka-black');
    expect(view.product.category).toBe('coats');
    expect(view.product.stockState).not.toBe('sold_out');
    expect(view.note).toBe('Down Parka, Black is sold out. You might like this instead.');
    expect(view.cta.url).toBe(view.product.url);

    const alternative = (await fixture.storage.catalogue.bestSellersInCategory('coats', 1, ['down-parka-black']))[0] as Product;
    expect(view.product.id).toBe(alternative.id);
  });

  test('without a swap rule a sold-out product shows as sold out', async () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: p, kind: product, productId: down-parka-black, defaultUrl: "https://shop.example", swapWhen: false }\n',
      'inline',
    );
    const local = await createFixture({ blocks });
    const view = await viewOf(local, 'p', 'sub-emma');
    expect(view.product.id).toBe('down-parka-black');
    expect(view.product.badge).toEqual({ text: 'Sold out', tone: 'danger' });
    expect(view.swappedFrom).toBeNull();
    await local.close();
  });

  test('a product missing from the catalogue shows the fallback items', async () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: p, kind: product, productId: no-such-product, defaultUrl: "https://shop.example/x" }\n',
      'inline',
    );
    const local = await createFixture({ blocks });
    const response = await ampGet(local, 'p', local.token('sub-emma'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [{ kind: 'fallback', headline: 'See our latest offers', cta: { label: 'Shop now', url: 'https://shop.example/x' } }],
    });
    expect(local.logLines().some((line) => line.includes('"reason":"data_missing"'))).toBe(true);
    await local.close();
  });

  test('currencies other than the shop default are formatted in the subscriber locale', async () => {
    const blocks = parseBlocksConfig('blocks:\n  - { id: p, kind: product, productId: x, defaultUrl: "https://shop.example" }\n', 'inline');
    const local = await createFixture({ blocks });
    const product = (await local.storage.catalogue.getProduct('merino-crew-navy')) as Product;
    await local.storage.ingestion.upsertProducts([{ ...product, id: 'x', currency: 'JPY', price: 12800, salePrice: null, prices: {} }]);
    // Emma and Lena shop in yen too here: the same price, each written the way their locale writes yen.
    for (const id of ['sub-emma', 'sub-lena']) {
      await local.storage.ingestion.upsertSubscribers([{ ...((await local.storage.catalogue.getSubscriber(id)) as Subscriber), currency: 'JPY' }]);
    }
    expect((await viewOf(local, 'p', 'sub-yui')).product.price).toBe('￥12,800');
    expect((await viewOf(local, 'p', 'sub-emma')).product.price).toBe('¥12,800');
    expect((await viewOf(local, 'p', 'sub-lena')).product.price).toBe('12.800\u00a0¥');
    await local.close();
  });
});
