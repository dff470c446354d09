import request from 'supertest';
import { pixelSignature, type PixelOrder } from '../src/conversions/pixel-signature';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';

/** Orders through the events API and the conversion pixel: idempotent by order id, validated, never forged (README "Conversions and revenue"). */

const NOW = '2026-11-22T10:00:00.000Z';
const SECRET = 'pixel-secret-0123456789abcdef';

const order = (orderId: string, over: Record<string, unknown> = {}) => ({
  id: `evt-${orderId}`,
  type: 'order_completed',
  orderId,
  subscriberId: 'sub-emma',
  occurredAt: NOW,
  currency: 'EUR',
  lines: [
    { productId: 'peacoat-navy', quantity: 2, amount: '59.90' },
    { productId: 'merino-crew-navy', quantity: 1, amount: 35 },
  ],
  ...over,
});

describe('orders through the events API', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ conversions: { windowDays: 7, model: 'last_click', pixelSecret: SECRET } });
    await fixture.database.renderLog.appendClicks([
      { clickedAt: Date.parse(NOW) - 60_000, campaignId: 'flash-sale', blockId: 'picks', subscriberId: 'sub-emma', slot: 0, variant: null, url: 'https://shop.example/p' },
    ]);
  });
  afterEach(() => fixture.close());

  const revenue = async (): Promise<string[]> =>
    (await getJson(fixture, '/api/v1/reports/campaigns/flash-sale', fixture.keys.reports)).body.conversions.rows.map((row: { orders: number; revenue: string }) => `${row.orders}:${row.revenue}`);

  test('the total is Σ quantity × amount in minor units; a replayed order, or the same order twice in a batch, is a duplicate and counts once', async () => {
    const first = await postJson(fixture, '/api/v1/events', { events: [order('A-1001')] });
    expect(first.body).toEqual({ received: 1, applied: 1, duplicates: [], stale: [] });
    expect((await fixture.database.orders.getOrder('A-1001'))?.totalMinor).toBe(2 * 5990 + 3500);
    expect(await revenue()).toEqual(['1:154.80']);

    // The shop retries (another event id, same order, even another amount): nothing changes.
    const replay = await postJson(fixture, '/api/v1/events', { events: [order('A-1001', { id: 'evt-retry', lines: [{ productId: 'x', quantity: 1, amount: '1.00' }] })] });
    expect(replay.body).toEqual({ received: 1, applied: 0, duplicates: [{ index: 0, id: 'A-1001' }], stale: [] });
    const twice = await postJson(fixture, '/api/v1/events', { events: [order('A-1002', { id: 'e1' }), order('A-1002', { id: 'e2' })] });
    expect(twice.body).toEqual({ received: 2, applied: 1, duplicates: [{ index: 1, id: 'A-1002' }], stale: [] });
    expect(await revenue()).toEqual(['2:309.60']);
  });

  test('orders and behaviour events in one batch: each answered at its own index', async () => {
    const view = { id: 'v1', type: 'product_viewed', subscriberId: 'sub-emma', occurredAt: NOW, productId: 'peacoat-navy' };
    const batch = { events: [view, order('B-1'), view, order('B-1', { id: 'evt-again' })] };
    const response = await postJson(fixture, '/api/v1/events', batch);
    expect(response.body).toEqual({ received: 4, applied: 2, duplicates: [{ index: 2, id: 'v1' }, { index: 3, id: 'B-1' }], stale: [] });
  });

  test('currencies are kept apart, each in its own minor units', async () => {
    await postJson(fixture, '/api/v1/events', {
      events: [order('C-1'), order('C-2', { currency: 'JPY', lines: [{ productId: 'p', quantity: 3, amount: '1200' }] }), order('C-3', { currency: 'KWD', lines: [{ productId: 'p', quantity: 1, amount: '10.125' }] })],
    });
    const rows = (await getJson(fixture, '/api/v1/reports/campaigns/flash-sale', fixture.keys.reports)).body.conversions.rows;
    expect(rows.map((row: { currency: string; revenue: string }) => [row.currency, row.revenue])).toEqual([
      ['EUR', '154.80'],
      ['JPY', '3600'],
      ['KWD', '10.125'],
    ]);
  });

  test('a bad order is a 400 naming each field and what was expected; nothing of the batch is written', async () => {
    const response = await postJson(fixture, '/api/v1/events', {
      events: [
        order('D-1'),
        order('D-2', { lines: [{ productId: 'p', quantity: 1, amount: '9.999' }] }),
        order('D-3', { subscriberId: undefined }),
        order('D-4', { currency: 'EURO', lines: [{ productId: 'p', quantity: 0, amount: '-1' }] }),
      ],
    });
    expect(response.status).toBe(400);
    const lines = JSON.stringify(response.body.error.errors);
    expect(lines).toContain('"index":1,"path":"lines.0.amount","message":"expected a non-negative decimal with at most 2 decimals for EUR');
    expect(lines).toContain('"index":2,"path":"subscriberId","message":"expected exactly one of subscriberId and anonymousId"');
    expect(lines).toContain('"index":3,"path":"currency"');
    expect(lines).toContain('"index":3,"path":"lines.0.quantity"');
    expect(await fixture.database.orders.getOrder('D-1')).toBeUndefined();
  });

  test('a misspelt type is answered with every type there is, order_completed among them', async () => {
    const response = await postJson(fixture, '/api/v1/events', { events: [order('E-1', { type: 'order_complete' })] });
    expect(response.status).toBe(400);
    expect(response.body.error.errors).toEqual([{ index: 0, path: 'type', message: expect.stringMatching(/Expected 'product_viewed' \| .* \| 'order_completed'$/) }]);
  });
});

describe('the conversion pixel', () => {
  let fixture: ApiApp;
  afterEach(() => fixture.close());

  const pixelUrl = (pixel: PixelOrder, sig = pixelSignature(SECRET, pixel)): string => `/c/v1/conversions.gif?${new URLSearchParams({ ...pixel, sig }).toString()}`;
  const fetchPixel = async (url: string) => {
    const response = await request(fixture.app).get(url);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/gif');
    expect(response.headers['cache-control']).toContain('no-store');
    return response.headers['x-opentime-outcome'];
  };

  test('a signed pixel records the order once; a changed amount or a made-up signature records nothing; every answer is a GIF', async () => {
    fixture = await createApiApp({ conversions: { windowDays: 7, model: 'last_click', pixelSecret: SECRET } });
    const pixel = { order: 'P-1', amount: '42.50', currency: 'EUR', subscriber: 'sub-emma' };
    expect(await fetchPixel(pixelUrl(pixel))).toBe('recorded');
    expect(await fetchPixel(pixelUrl(pixel))).toBe('duplicate');
    expect(await fixture.database.orders.getOrder('P-1')).toMatchObject({ subscriberId: 'sub-emma', currency: 'EUR', totalMinor: 4250, lines: [] });

    const forged = { ...pixel, order: 'P-2' };
    expect(await fetchPixel(pixelUrl({ ...forged, amount: '4250.00' }, pixelSignature(SECRET, forged)))).toBe('forged');
    expect(await fetchPixel(pixelUrl(forged, 'f'.repeat(64)))).toBe('forged');
    expect(await fetchPixel('/c/v1/conversions.gif?order=P-3&amount=abc&currency=EUR&subscriber=s&sig=00')).toBe('invalid');
    expect(await fetchPixel('/c/v1/conversions.gif')).toBe('invalid');
    expect(await fixture.database.orders.getOrder('P-2')).toBeUndefined();
  });

  test('without OPENTIME_CONVERSION_SECRET the pixel answers its GIF and records nothing', async () => {
    fixture = await createApiApp();
    const pixel = { order: 'P-1', amount: '42.50', currency: 'EUR', subscriber: 'sub-emma' };
    expect(await fetchPixel(pixelUrl(pixel))).toBe('disabled');
    expect(await fixture.database.orders.getOrder('P-1')).toBeUndefined();
  });
});
