import request from 'supertest';
import type { OrderRecord } from '../../src/storage/ports/orders';
import { FIXED_NOW } from '../helpers/app-fixture';
import { createConsoleApp, type ConsoleApp } from '../helpers/console-app';
import { clickRecord, renderRecord } from '../helpers/render-records';

/** The Reports page adds orders, revenue and the revenue lift chart (README "Conversions and revenue"). */
describe('the Reports page: orders and revenue', () => {
  let fixture: ConsoleApp;
  const touch = (variant: string) => ({ campaignId: 'flash-sale', blockId: 'picks', variant, at: FIXED_NOW.getTime() });
  const order = (orderId: string, subscriberId: string, variant: string, over: Partial<OrderRecord> = {}): OrderRecord => ({
    orderId,
    subscriberId,
    anonymousId: null,
    occurredAt: FIXED_NOW.getTime() + 3_600_000,
    receivedAt: FIXED_NOW.getTime() + 3_600_000,
    currency: 'EUR',
    totalMinor: 5000,
    lines: [],
    click: variant === 'holdout' ? null : touch(variant),
    open: touch(variant),
    ...over,
  });

  beforeAll(async () => {
    fixture = await createConsoleApp();
    // 40 human opens in the live arm, 20 in the holdout; 10 live buyers and 2 holdout buyers at 50.00 EUR, one live buyer in GBP too.
    const live = Array.from({ length: 40 }, (_, i) => `live-${i}`);
    const holdout = Array.from({ length: 20 }, (_, i) => `holdout-${i}`);
    await fixture.storage.renderLog.appendRenders([...live.map((id) => renderRecord(id, 'live')), ...holdout.map((id) => renderRecord(id, 'holdout'))]);
    await fixture.storage.renderLog.appendClicks(live.slice(0, 10).map((id) => clickRecord(id, 'live')));
    await fixture.storage.orders.recordOrders([
      ...live.slice(0, 10).map((id, i) => order(`L-${i}`, id, 'live')),
      ...holdout.slice(0, 2).map((id, i) => order(`H-${i}`, id, 'holdout')),
      order('G-1', 'live-0', 'live', { currency: 'GBP', totalMinor: 1999 }),
    ]);
  });
  afterAll(() => fixture.close());

  test('a table per block, arm and currency, and the revenue lift drawn with its interval and listed', async () => {
    const page = await request(fixture.app).get('/console/reports?campaign=flash-sale').set('Cookie', await fixture.sessionCookie());
    expect(page.status).toBe(200);
    expect(page.text).toContain('credited to the last click within 7 days');
    const table = /<table id="conversions-table">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(table).toMatch(/<td>live<\/td><td>EUR<\/td><td class="num">40<\/td><td class="num">10<\/td><td class="num">10<\/td><td class="num">500.00<\/td><td class="num">25.0%<\/td><td class="num">12.5000<\/td>/);
    expect(table).toMatch(/<td>live<\/td><td>GBP<\/td><td class="num">40<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">19.99<\/td>/);
    // Holdout orders are credited by open only, so under last click they are in the lift, not in this table.
    expect(table).not.toContain('<td>holdout</td>');

    const chart = /<svg class="chart" id="revenue-lift-chart"[\s\S]*?<\/svg>/.exec(page.text)?.[0] ?? '';
    expect(chart).toContain('<title id="revenue-lift-chart-title">Revenue lift against the holdout, campaign flash-sale</title>');
    expect(chart).toContain('picks, EUR: revenue per human open 12.5000 in the treatment arms against 5.0000 in the holdout, lift +150.0%');
    // Only EUR is drawn: the GBP holdout spent nothing, so its lift has no ratio to draw.
    expect(chart.match(/<circle class="point"/g)).toHaveLength(1);
    const lift = /<table id="revenue-lift-table">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(lift).toContain('<td class="num">7.5000 (');
    // GBP: the holdout spent nothing in GBP, so there is a difference but no ratio.
    expect(lift).toMatch(/<td>GBP<\/td><td class="num">0.4998<\/td><td class="num">0.0000<\/td><td class="num">0.4998 \([^)]*\)<\/td><td class="num">n\/a<\/td>/);
  });
});
