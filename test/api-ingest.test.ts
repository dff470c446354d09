import request from 'supertest';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';

const event = (id: string, type: string, occurredAt: string, extra: Record<string, unknown>) => ({ id, type, subscriberId: 'sub-emma', occurredAt, ...extra });

describe('product ingestion', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const product = async (id: string) => (await getJson(fixture, `/api/v1/products/${id}`)).body.product;

  test('a stock-only update keeps the price, the sale price and everything else', async () => {
    const before = await product('quilted-jacket-olive');
    const response = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', stock: 4, updatedAt: '2026-11-22T10:05:00+01:00' }] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, stale: [] });
    expect(await product('quilted-jacket-olive')).toEqual({ ...before, stock: 4, updatedAt: '2026-11-22T09:05:00.000Z' });
  });

  test('null clears the sale price; leaving it out keeps it', async () => {
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', price: 149 }] });
    expect(await product('quilted-jacket-olive')).toMatchObject({ price: 149, salePrice: 119 });
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', salePrice: null }] });
    expect(await product('quilted-jacket-olive')).toMatchObject({ price: 149, salePrice: null });
  });

  test('a new product with every required field is created, with defaults for the rest', async () => {
    const response = await postJson(fixture, '/api/v1/products', {
      products: [{ id: 'linen-shirt', name: 'Linen Shirt', url: 'https://shop.example/p/linen-shirt', image: 'https://shop.example/i/linen.png', category: 'shirts', price: 59, currency: 'EUR', stock: 12 }],
    });
    expect(response.body).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, stale: [] });
    expect(await product('linen-shirt')).toMatchObject({ salePrice: null, popularity: 0, stock: 12, updatedAt: fixture.clock.now.toISOString() });
  });

  test('out-of-order delivery: an update older than the stored one is ignored and reported stale', async () => {
    // Source timestamps may not run ahead of the server clock (OPENTIME_MAX_CLOCK_SKEW_S): it is 10:30 here too.
    fixture.clock.now = new Date('2026-11-22T10:30:00Z');
    const newer = await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 3, updatedAt: '2026-11-22T10:30:00Z' }] });
    expect(newer.body.updated).toBe(1);
    const older = await postJson(fixture, '/api/v1/products', {
      products: [
        { id: 'peacoat-navy', stock: 9, updatedAt: '2026-11-22T10:29:59Z' },
        { id: 'merino-crew-navy', stock: 40, updatedAt: '2026-11-22T10:29:59Z' },
      ],
    });
    expect(older.status).toBe(200);
    expect(older.body).toEqual({
      received: 2,
      created: 0,
      updated: 1,
      unchanged: 0,
      stale: [{ index: 0, id: 'peacoat-navy', storedUpdatedAt: '2026-11-22T10:30:00.000Z' }],
    });
    expect((await product('peacoat-navy')).stock).toBe(3);
    expect((await product('merino-crew-navy')).stock).toBe(40);
    // A redelivery of the stored update (same timestamp) is harmless and applies.
    const same = await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 3, updatedAt: '2026-11-22T10:30:00Z' }] });
    expect(same.body).toMatchObject({ updated: 0, unchanged: 1, stale: [] });
  });

  test('an untimed update never moves updatedAt backwards, so a late older timed update stays stale', async () => {
    // The source's clock runs 4 minutes ahead of ours (within OPENTIME_MAX_CLOCK_SKEW_S).
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 5, updatedAt: '2026-11-22T10:04:00Z' }] });
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 6 }] });
    expect(await product('peacoat-navy')).toMatchObject({ stock: 6, updatedAt: '2026-11-22T10:04:00.000Z' });
    const late = await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 50, updatedAt: '2026-11-22T10:03:00Z' }] });
    expect(late.body.stale).toHaveLength(1);
    expect((await product('peacoat-navy')).stock).toBe(6);
  });

  test('the same product twice in one batch: applied in order, the second sees the first', async () => {
    fixture.clock.now = new Date('2026-11-22T11:01:00Z');
    const response = await postJson(fixture, '/api/v1/products', {
      products: [
        { id: 'peacoat-navy', stock: 1, updatedAt: '2026-11-22T11:00:00Z' },
        { id: 'peacoat-navy', price: 199, updatedAt: '2026-11-22T10:59:00Z' },
        { id: 'peacoat-navy', price: 249, updatedAt: '2026-11-22T11:01:00Z' },
      ],
    });
    expect(response.body).toMatchObject({ updated: 1, stale: [{ index: 1, id: 'peacoat-navy' }] });
    expect(await product('peacoat-navy')).toMatchObject({ stock: 1, price: 249 });
  });

  test('GET an unknown product: 404 product_not_found', async () => {
    const response = await getJson(fixture, '/api/v1/products/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'product_not_found', detail: 'No product "no-such-thing".' });
  });
});

describe('subscriber ingestion', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const subscriber = async (id: string) => (await getJson(fixture, `/api/v1/subscribers/${id}`)).body.subscriber;

  test('a partial profile update keeps the other fields; a new profile needs locale and time zone', async () => {
    const before = await subscriber('sub-emma');
    await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: 'sub-emma', city: 'Boston' }] });
    expect(await subscriber('sub-emma')).toEqual({ ...before, city: 'Boston', updatedAt: fixture.clock.now.toISOString() });

    const incomplete = await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: 'sub-new', firstName: 'Noor' }] });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.errors.map((e: { path: string }) => e.path)).toEqual(['locale', 'timeZone']);
    const created = await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: 'sub-new', firstName: 'Noor', locale: 'nl-NL', timeZone: 'Europe/Amsterdam' }] });
    expect(created.body.created).toBe(1);
    expect(await subscriber('sub-new')).toMatchObject({ firstName: 'Noor', locale: 'nl-NL', loyaltyPoints: 0, cart: [] });
  });

  test('GET an unknown subscriber: 404 subscriber_not_found', async () => {
    const response = await getJson(fixture, '/api/v1/subscribers/sub-nobody');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('subscriber_not_found');
  });
});

describe('event ingestion', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const emma = async () => (await getJson(fixture, '/api/v1/subscribers/sub-emma')).body.subscriber;

  test('events update views, cart, purchases and points', async () => {
    const before = await emma();
    const response = await postJson(fixture, '/api/v1/events', {
      events: [
        event('e1', 'product_viewed', '2026-11-22T09:00:00Z', { productId: 'linen-shirt' }),
        event('e2', 'added_to_cart', '2026-11-22T09:01:00Z', { productId: 'linen-shirt' }),
        event('e3', 'added_to_cart', '2026-11-22T09:02:00Z', { productId: 'wool-scarf' }),
        event('e4', 'purchased', '2026-11-22T09:03:00Z', { productIds: ['linen-shirt'] }),
        event('e5', 'points_changed', '2026-11-22T09:04:00Z', { delta: 120 }),
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: 5, applied: 5, duplicates: [], stale: [] });
    const after = await emma();
    expect(after.recentViews[0]).toBe('linen-shirt');
    expect(after.cart).toEqual(['wool-scarf', ...before.cart.filter((id: string) => id !== 'wool-scarf' && id !== 'linen-shirt')]);
    expect(after.purchases[0]).toBe('linen-shirt');
    expect(after.loyaltyPoints).toBe(before.loyaltyPoints + 120);
    // Behaviour does not move the profile's source timestamp (a later profile push must not look stale).
    expect(after.updatedAt).toBe(before.updatedAt);
  });

  test('a replayed delivery is acknowledged and not applied twice', async () => {
    const before = (await emma()).loyaltyPoints;
    const body = { events: [event('pts-1', 'points_changed', '2026-11-22T09:00:00Z', { delta: 50 })] };
    const first = await postJson(fixture, '/api/v1/events', body);
    expect(first.body).toEqual({ received: 1, applied: 1, duplicates: [], stale: [] });
    const replay = await postJson(fixture, '/api/v1/events', body);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: 1, applied: 0, duplicates: [{ index: 0, id: 'pts-1' }], stale: [] });
    expect((await emma()).loyaltyPoints).toBe(before + 50);
  });

  test('a repeated id inside one batch is applied once', async () => {
    const before = (await emma()).loyaltyPoints;
    const twice = event('pts-2', 'points_changed', '2026-11-22T09:00:00Z', { delta: 7 });
    const response = await postJson(fixture, '/api/v1/events', { events: [twice, twice] });
    expect(response.body).toMatchObject({ applied: 1, duplicates: [{ index: 1, id: 'pts-2' }] });
    expect((await emma()).loyaltyPoints).toBe(before + 7);
  });

  test('cart changes delivered out of order settle on what happened last', async () => {
    const removedLater = await postJson(fixture, '/api/v1/events', { events: [event('c2', 'removed_from_cart', '2026-11-22T09:10:00Z', { productId: 'wool-scarf' })] });
    expect(removedLater.body.applied).toBe(1);
    const addedEarlier = await postJson(fixture, '/api/v1/events', { events: [event('c1', 'added_to_cart', '2026-11-22T09:05:00Z', { productId: 'wool-scarf' })] });
    expect(addedEarlier.body).toEqual({
      received: 1,
      applied: 0,
      duplicates: [],
      stale: [{ index: 0, id: 'c1', reason: 'a later cart change of wool-scarf is already applied' }],
    });
    expect((await emma()).cart).not.toContain('wool-scarf');
    const addedAgain = await postJson(fixture, '/api/v1/events', { events: [event('c3', 'added_to_cart', '2026-11-22T09:15:00Z', { productId: 'wool-scarf' })] });
    expect(addedAgain.body.applied).toBe(1);
    expect((await emma()).cart[0]).toBe('wool-scarf');
  });

  test('an event for an unknown subscriber keeps the behaviour, and the profile that follows still applies', async () => {
    await postJson(fixture, '/api/v1/events', { events: [{ id: 'v1', type: 'product_viewed', subscriberId: 'sub-later', occurredAt: '2026-11-22T09:00:00Z', productId: 'peacoat-navy' }] });
    const profile = await postJson(fixture, '/api/v1/subscribers', {
      subscribers: [{ id: 'sub-later', firstName: 'Ines', locale: 'pt-PT', timeZone: 'Europe/Lisbon', updatedAt: '2020-01-01T00:00:00Z' }],
    });
    expect(profile.body.stale).toEqual([]);
    expect((await getJson(fixture, '/api/v1/subscribers/sub-later')).body.subscriber).toMatchObject({ firstName: 'Ines', locale: 'pt-PT', recentViews: ['peacoat-navy'] });
  });
});

describe('ingestion metrics', () => {
  test('every applied, unchanged, stale and duplicate record is counted on /metrics', async () => {
    const fixture = await createApiApp();
    const at = (iso: string) => ({ updatedAt: iso });
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'merino-crew-navy', stock: 7, ...at('2026-11-22T10:04:00Z') }, { id: 'quilted-jacket-olive', stock: 3 }] });
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'merino-crew-navy', stock: 1, ...at('2026-11-22T10:03:00Z') }] });
    const viewed = { id: 'e1', type: 'product_viewed', subscriberId: 'sub-emma', occurredAt: '2026-11-22T09:00:00Z', productId: 'merino-crew-navy' };
    await postJson(fixture, '/api/v1/events', { events: [viewed] });
    await postJson(fixture, '/api/v1/events', { events: [viewed] });
    const text = (await request(fixture.app).get('/metrics')).text;
    const sample = (labels: string) => Number(text.split('\n').find((line) => line.startsWith(`opentime_ingested_total{${labels}} `))?.split(' ')[1]);
    expect(sample('type="products",outcome="applied"')).toBe(2);
    expect(sample('type="products",outcome="stale"')).toBe(1);
    expect(sample('type="events",outcome="applied"')).toBe(1);
    expect(sample('type="events",outcome="duplicate"')).toBe(1);
    await fixture.close();
  });
});
