import request from 'supertest';
import { createConsoleApp, type ConsoleApp } from '../helpers/console-app';
import { clickRecord, renderRecord } from '../helpers/render-records';

describe('the Reports page', () => {
  let fixture: ConsoleApp;
  beforeAll(async () => {
    fixture = await createConsoleApp();
    // 40 human opens in the live arm, 10 of them clicking; 20 in the holdout, 2 clicking.
    const live = Array.from({ length: 40 }, (_, i) => `live-${i}`);
    const holdout = Array.from({ length: 20 }, (_, i) => `holdout-${i}`);
    await fixture.storage.renderLog.appendRenders([...live.map((id) => renderRecord(id, 'live')), ...holdout.map((id) => renderRecord(id, 'holdout'))]);
    await fixture.storage.renderLog.appendClicks([
      ...live.slice(0, 10).map((id) => clickRecord(id, 'live')),
      ...holdout.slice(0, 2).map((id) => clickRecord(id, 'holdout')),
    ]);
  });
  afterAll(() => fixture.close());

  test('draws the CTR bars with their interval whiskers and the lift chart, each titled for screen readers, numbers in the table', async () => {
    const page = await request(fixture.app).get('/console/reports?campaign=flash-sale').set('Cookie', await fixture.sessionCookie());
    expect(page.status).toBe(200);
    const ctr = /<svg class="chart" id="ctr-chart"[\s\S]*?<\/svg>/.exec(page.text)?.[0] ?? '';
    expect(ctr).toContain('role="img"');
    expect(ctr).toContain('<title id="ctr-chart-title">Click-through rate per block and arm, campaign flash-sale</title>');
    expect(ctr.match(/<rect class="bar/g)).toHaveLength(2);
    expect(ctr.match(/class="bar holdout"/g)).toHaveLength(1);
    expect(ctr.match(/<line class="whisker"/g)).toHaveLength(6);
    expect(ctr).toContain('picks, live: CTR 25.0%');
    const lift = /<svg class="chart" id="lift-chart"[\s\S]*?<\/svg>/.exec(page.text)?.[0] ?? '';
    expect(lift).toContain('picks, live: lift +150.0%');
    expect(lift.match(/<circle class="point"/g)).toHaveLength(1);
    expect(page.text).toMatch(/<td>live<\/td><td class="num">40<\/td><td class="num">0<\/td><td class="num">40<\/td><td class="num">10<\/td><td class="num">10<\/td><td class="num">25.0%<\/td>/);
  });

  test('the same report is GET /api/v1/reports/campaigns/:id with the console key', async () => {
    const answer = await request(fixture.app).get('/api/v1/reports/campaigns/flash-sale').set('Authorization', `Bearer ${fixture.keys.console}`);
    expect(answer.status).toBe(200);
    expect(answer.body.blocks[0].variants.map((variant: { variant: string; ctr: number }) => [variant.variant, variant.ctr])).toEqual([
      ['live', 0.25],
      ['holdout', 0.1],
    ]);
  });

  test('an unknown campaign is the console 404 page with the reason', async () => {
    const page = await request(fixture.app).get('/console/reports?campaign=nope').set('Cookie', await fixture.sessionCookie());
    expect(page.status).toBe(404);
    expect(page.text).toContain('No campaign &#34;nope&#34; in the store and nothing recorded for it.');
  });
});
