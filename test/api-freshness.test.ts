import { isViewOf } from '../src/kinds/kind-of-view';
import type { KindName, ViewOf } from '../src/kinds/registry';
import { ampOpen, createApiApp, imageOpen, postJson, type ApiApp } from './helpers/api-app';

/**
 * Every write drops what the caches hold for the records it touched, so the
 * next open shows the new value on BOTH surfaces. The fixture's cache lives
 * 60 s, so nothing but invalidation can make a change visible within the test.
 */
describe('freshness: the next open after a 2xx shows the new value', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ freshnessMs: 60_000 });
  });
  afterEach(() => fixture.close());

  /** The view the latest image open drew, which must be of this kind. */
  const lastDrawn = <Name extends KindName>(kind: Name): ViewOf<Name> => {
    const view = fixture.drawnViews.at(-1);
    if (!view || !isViewOf(view, kind)) throw new Error(`expected a ${kind} view drawn, got ${JSON.stringify(view)}`);
    return view;
  };

  // Lena shops in EUR, the jacket's own currency: a write of its own price is what she sees.
  const jsonPrice = async () => (await ampOpen(fixture, 'hero-product', 'sub-lena')).body.items[0].product.price as string;
  const imagePrice = async () => {
    const response = await imageOpen(fixture, 'hero-product', 'sub-lena');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    return { price: lastDrawn('product').product.price, etag: response.headers.etag as string };
  };

  test('a price change reaches the amp-list JSON and the image at the very next open', async () => {
    expect(await jsonPrice()).toBe('119,00\u00a0€');
    const before = await imagePrice();
    expect(before.price).toBe('119,00\u00a0€');

    const write = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', salePrice: 99 }] });
    expect(write.status).toBe(200);
    const acknowledgedAt = performance.now();
    expect(await jsonPrice()).toBe('99,00\u00a0€');
    const jsonMs = performance.now() - acknowledgedAt;
    const after = await imagePrice();
    const imageMs = performance.now() - acknowledgedAt;
    expect(after.price).toBe('99,00\u00a0€');
    expect(after.etag).not.toBe(before.etag);
    // In-process the only delay is the open itself; the target is 1 s.
    expect(jsonMs).toBeLessThan(1000);
    expect(imageMs).toBeLessThan(1000);
  });

  test('control: a write that bypasses the cached store is NOT seen until the cache expires', async () => {
    expect(await jsonPrice()).toBe('119,00\u00a0€');
    await fixture.database.ingestion.applyProductPatches([{ id: 'quilted-jacket-olive', salePrice: 99 }], { now: fixture.clock.now, onIncomplete: 'abort' });
    expect(await jsonPrice()).toBe('119,00\u00a0€');
    fixture.cache.invalidateProducts(['quilted-jacket-olive']);
    expect(await jsonPrice()).toBe('99,00\u00a0€');
  });

  test('stock running out swaps the product card on both surfaces', async () => {
    await jsonPrice();
    await imagePrice();
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', stock: 0 }] });
    const json = (await ampOpen(fixture, 'hero-product', 'sub-emma')).body.items[0];
    expect(json.swappedFrom).toEqual({ id: 'quilted-jacket-olive', name: 'Quilted Jacket, Olive' });
    await imageOpen(fixture, 'hero-product', 'sub-emma');
    expect(lastDrawn('product').swappedFrom?.id).toBe('quilted-jacket-olive');
    expect(lastDrawn('product').product.id).toBe(json.product.id);
  });

  test('a points event reaches the loyalty block JSON and image at the next open', async () => {
    const balance = async () => (await ampOpen(fixture, 'loyalty-status', 'sub-emma')).body.items[0].balance as string;
    const before = await balance();
    await imageOpen(fixture, 'loyalty-status', 'sub-emma');
    const response = await postJson(fixture, '/api/v1/events', {
      events: [{ id: 'pts-fresh', type: 'points_changed', subscriberId: 'sub-emma', occurredAt: '2026-11-22T09:59:00Z', delta: 1000 }],
    });
    expect(response.body.applied).toBe(1);
    const after = await balance();
    expect(after).not.toBe(before);
    expect(Number(after.replace(/\D/g, ''))).toBe(Number(before.replace(/\D/g, '')) + 1000);
    await imageOpen(fixture, 'loyalty-status', 'sub-emma');
    expect(lastDrawn('loyalty').balance).toBe(after);
  });
});
