import { campaignReport } from '../src/http/reports-router';
import type { ClickRecord, RenderRecord } from '../src/storage/ports/render-log';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';

/**
 * Orders are credited, when they arrive, to the block and arm the subscriber
 * last clicked or last saw as a human open, within the attribution window
 * (README "Conversions and revenue").
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-22T10:00:00.000Z');

const render = (subscriberId: string, renderedAt: number, over: Partial<RenderRecord> = {}): RenderRecord => ({
  renderedAt,
  campaignId: 'flash-sale',
  blockId: 'hero',
  subscriberId,
  surface: 'image',
  client: 'direct',
  prefetch: false,
  variant: null,
  outcome: 'view',
  locked: false,
  itemIds: [],
  ...over,
});
const click = (subscriberId: string, clickedAt: number, over: Partial<ClickRecord> = {}): ClickRecord => ({
  clickedAt,
  campaignId: 'flash-sale',
  blockId: 'picks',
  subscriberId,
  slot: 0,
  variant: 'a',
  url: 'https://shop.example/p',
  ...over,
});
const order = (orderId: string, subscriberId: string, occurredAt: number, amount = '50.00', currency = 'EUR') => ({
  id: `evt-${orderId}`,
  type: 'order_completed',
  orderId,
  subscriberId,
  occurredAt: new Date(occurredAt).toISOString(),
  currency,
  lines: [{ productId: 'peacoat-navy', quantity: 1, amount }],
});

describe('attribution of orders', () => {
  let fixture: ApiApp;
  afterEach(() => fixture.close());

  const send = async (...orders: object[]) => {
    const response = await postJson(fixture, '/api/v1/events', { events: orders });
    expect(response.status).toBe(200);
    return response.body;
  };

  test('a click inside the window is credited, one a moment outside it is not; the window ends at the order', async () => {
    fixture = await createApiApp({ conversions: { windowDays: 7, model: 'last_click' } });
    const placedAt = NOW - HOUR;
    await fixture.database.renderLog.appendClicks([
      click('inside', placedAt - 7 * DAY), // exactly 7 days before: inside
      click('outside', placedAt - 7 * DAY - 1), // 1 ms too early
      click('after', placedAt + 1), // after the order: it cannot have caused it
    ]);
    expect(await send(order('o-inside', 'inside', placedAt), order('o-outside', 'outside', placedAt), order('o-after', 'after', placedAt))).toEqual({
      received: 3,
      applied: 3,
      duplicates: [],
      stale: [],
    });
    expect((await fixture.database.orders.getOrder('o-inside'))?.click).toEqual({ campaignId: 'flash-sale', blockId: 'picks', variant: 'a', at: placedAt - 7 * DAY });
    expect((await fixture.database.orders.getOrder('o-outside'))?.click).toBeNull();
    expect((await fixture.database.orders.getOrder('o-after'))?.click).toBeNull();

    const report = (await getJson(fixture, '/api/v1/reports/campaigns/flash-sale', fixture.keys.reports)).body;
    expect(report.conversions.rows).toEqual([
      { blockId: 'picks', variant: 'a', currency: 'EUR', humanOpeners: 3, orders: 1, buyers: 1, revenue: '50.00', conversionRate: 1 / 3, revenuePerHumanOpen: '16.6667' },
    ]);
  });

  test('a shorter window credits less: with 1 day, a click 2 days before the order is not credited', async () => {
    fixture = await createApiApp({ conversions: { windowDays: 1, model: 'last_click' } });
    await fixture.database.renderLog.appendClicks([click('emma', NOW - 2 * DAY), click('noah', NOW - 20 * HOUR)]);
    await send(order('o1', 'emma', NOW), order('o2', 'noah', NOW));
    expect((await fixture.database.orders.getOrder('o1'))?.click).toBeNull();
    expect((await fixture.database.orders.getOrder('o2'))?.click?.at).toBe(NOW - 20 * HOUR);
  });

  test('last click and last open credit different blocks; an Apple prefetch is not an open', async () => {
    fixture = await createApiApp({ conversions: { windowDays: 7, model: 'last_open' } });
    // Emma clicked the picks (arm a), later opened the email again and saw the hero; then a prefetch came.
    await fixture.database.renderLog.appendRenders([render('emma', NOW - 3 * HOUR, { blockId: 'picks', variant: 'a' })]);
    await fixture.database.renderLog.appendClicks([click('emma', NOW - 3 * HOUR + 60_000)]);
    await fixture.database.renderLog.appendRenders([
      render('emma', NOW - 2 * HOUR, { blockId: 'hero' }),
      render('emma', NOW - HOUR, { blockId: 'footer', client: 'apple-prefetch', prefetch: true }),
    ]);
    await send(order('o1', 'emma', NOW - 30 * 60_000, '80.00'));

    const byOpen = (await getJson(fixture, '/api/v1/reports/campaigns/flash-sale', fixture.keys.reports)).body.conversions;
    expect(byOpen.model).toBe('last_open');
    expect(byOpen.rows.map((row: { blockId: string; variant: string | null; revenue: string }) => [row.blockId, row.variant, row.revenue])).toEqual([['hero', null, '80.00']]);

    const byClick = await campaignReport(
      { catalogue: fixture.storage.catalogue, renderLog: fixture.storage.renderLog, orders: fixture.storage.orders, conversions: { windowDays: 7, model: 'last_click' }, now: () => new Date(NOW) },
      'flash-sale',
    );
    expect(byClick.conversions?.rows.map((row) => [row.blockId, row.variant, row.revenue])).toEqual([['picks', 'a', '80.00']]);
  });

  test("the last touch may be another campaign's: the order is credited there, not to this one", async () => {
    fixture = await createApiApp({ conversions: { windowDays: 7, model: 'last_click' } });
    await fixture.database.renderLog.appendClicks([click('emma', NOW - 5 * HOUR), click('emma', NOW - 4 * HOUR, { campaignId: 'spring-sale', blockId: 'banner', variant: null })]);
    await send(order('o1', 'emma', NOW));
    expect((await fixture.database.orders.getOrder('o1'))?.click).toMatchObject({ campaignId: 'spring-sale', blockId: 'banner' });
    expect((await getJson(fixture, '/api/v1/reports/campaigns/flash-sale', fixture.keys.reports)).body.conversions.rows).toEqual([]);
  });

  test('an order naming an anonymous id that an identify has linked is credited to that subscriber', async () => {
    fixture = await createApiApp();
    await fixture.database.renderLog.appendClicks([click('emma', NOW - HOUR)]);
    await send({ id: 'identify-1', type: 'identify', anonymousId: 'cookie-7', subscriberId: 'emma', occurredAt: new Date(NOW - 2 * HOUR).toISOString() });
    const { subscriberId: _unused, ...anonymous } = order('o1', 'emma', NOW);
    await send({ ...anonymous, anonymousId: 'cookie-7' });
    expect(await fixture.database.orders.getOrder('o1')).toMatchObject({ subscriberId: 'emma', anonymousId: 'cookie-7', click: { blockId: 'picks', at: NOW - HOUR } });
  });

  test('an anonymous order placed before the identify is credited when the identify arrives, with the touches before it was placed', async () => {
    fixture = await createApiApp();
    await fixture.database.renderLog.appendClicks([click('emma', NOW - 2 * HOUR), click('emma', NOW + HOUR, { blockId: 'later' })]);
    const { subscriberId: _unused, ...anonymous } = order('o1', 'emma', NOW);
    await send({ ...anonymous, anonymousId: 'cookie-9' });
    expect(await fixture.database.orders.getOrder('o1')).toMatchObject({ subscriberId: null, click: null });
    fixture.clock.now = new Date(NOW + 2 * HOUR);
    const identify = { id: 'identify-9', type: 'identify', anonymousId: 'cookie-9', subscriberId: 'emma', occurredAt: new Date(NOW + 2 * HOUR).toISOString() };
    await send(identify);
    expect(await fixture.database.orders.getOrder('o1')).toMatchObject({ subscriberId: 'emma', anonymousId: 'cookie-9', click: { blockId: 'picks', at: NOW - 2 * HOUR } });
    // A replayed identify is a duplicate: nothing is credited twice.
    expect((await send(identify)).duplicates).toEqual([{ index: 0, id: 'identify-9' }]);
    const rows = (await getJson(fixture, '/api/v1/reports/campaigns/flash-sale', fixture.keys.reports)).body.conversions.rows;
    expect(rows.map((row: { orders: number; revenue: string }) => [row.orders, row.revenue])).toEqual([[1, '50.00']]);
  });

  test('an order naming only an anonymous id not linked yet is stored, credited to nothing', async () => {
    fixture = await createApiApp();
    await fixture.database.renderLog.appendClicks([click('emma', NOW - HOUR)]);
    const { subscriberId: _unused, ...anonymous } = order('o1', 'emma', NOW);
    expect((await send({ ...anonymous, anonymousId: 'cookie-42' })).applied).toBe(1);
    expect(await fixture.database.orders.getOrder('o1')).toMatchObject({ subscriberId: null, anonymousId: 'cookie-42', click: null, open: null, totalMinor: 5000 });
  });
});
