import request from 'supertest';
import { createConsoleApp, type ConsoleApp } from '../helpers/console-app';
import { FIXED_NOW } from '../helpers/app-fixture';

const T0 = FIXED_NOW.getTime();

describe("a subscriber's timeline (API and page)", () => {
  let fixture: ConsoleApp;
  beforeAll(async () => {
    fixture = await createConsoleApp();
    await fixture.storage.renderLog.appendRenders([
      { renderedAt: T0, campaignId: 'flash-sale', blockId: 'picks', subscriberId: 'sub-astrid', surface: 'image', client: 'apple-prefetch', prefetch: true, variant: 'live', outcome: 'view', locked: false, itemIds: ['merino-crew-navy', 'quilted-jacket-olive'] },
      { renderedAt: T0 + 60_000, campaignId: 'flash-sale', blockId: 'hero-product', subscriberId: 'sub-astrid', surface: 'json', client: 'amp', prefetch: false, variant: null, outcome: 'view', locked: true, itemIds: ['parka'] },
      { renderedAt: T0 + 60_000, campaignId: 'flash-sale', blockId: 'picks', subscriberId: 'someone-else', surface: 'json', client: 'amp', prefetch: false, variant: 'live', outcome: 'view', locked: false, itemIds: [] },
    ]);
    await fixture.storage.renderLog.appendClicks([{ clickedAt: T0 + 120_000, campaignId: 'flash-sale', blockId: 'picks', subscriberId: 'sub-astrid', slot: 1, variant: 'live', url: 'https://shop.example/q' }]);
  });
  afterAll(() => fixture.close());

  test('the API answers renders and clicks newest first, times also in the subscriber zone', async () => {
    const answer = await request(fixture.app).get('/api/v1/campaigns/flash-sale/subscribers/sub-astrid/timeline').set('Authorization', `Bearer ${fixture.keys.console}`);
    expect(answer.status).toBe(200);
    expect(answer.body.timeZone).toBe('Europe/Stockholm');
    expect(answer.body.events.map((event: { type: string; blockId: string }) => `${event.type}:${event.blockId}`)).toEqual(['click:picks', 'render:hero-product', 'render:picks']);
    expect(answer.body.events[0]).toMatchObject({ at: '2026-11-22T10:02:00.000Z', localTime: '22 Nov 2026, 11:02:00 CET', slot: 1, variant: 'live', url: 'https://shop.example/q' });
    expect(answer.body.events[2]).toMatchObject({ surface: 'image', client: 'apple-prefetch', prefetch: true, locked: false, slots: [{ slot: 0, itemId: 'merino-crew-navy' }, { slot: 1, itemId: 'quilted-jacket-olive' }] });
    expect(answer.body.truncated).toBe(false);
  });

  test('an unknown subscriber with nothing recorded is a 404; reports:read is enough for a script', async () => {
    const unknown = await request(fixture.app).get('/api/v1/campaigns/flash-sale/subscribers/nobody/timeline').set('Authorization', `Bearer ${fixture.keys.console}`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'subscriber_not_found']);
    const analyst = await request(fixture.app).get('/api/v1/campaigns/flash-sale/subscribers/sub-astrid/timeline').set('Authorization', `Bearer ${fixture.keys.reportsOnly}`);
    expect(analyst.status).toBe(200);
  });

  test('the page lists the events with surface, client class, prefetch or human, arm, slots, locked or live', async () => {
    const page = await request(fixture.app).get('/console/timeline?campaign=flash-sale&subscriber=sub-astrid').set('Cookie', await fixture.sessionCookie());
    expect(page.status).toBe(200);
    const events = [...page.text.matchAll(/data-event="(\w+)"/g)].map((match) => match[1]);
    expect(events).toEqual(['click', 'render', 'render']);
    for (const text of ['Apple prefetch', 'AMP client', '>locked<', '>live<', '>human<', '>prefetch<', 'slot 1 → <code>quilted-jacket-olive</code>', 'arm <code>live</code>', '11:02:00 CET']) expect(page.text).toContain(text);
  });

  test('a name instead of an id lists the matching subscribers to pick from', async () => {
    const page = await request(fixture.app).get('/console/timeline?campaign=flash-sale&subscriber=astr').set('Cookie', await fixture.sessionCookie());
    expect(page.text).toContain('href="/console/timeline?campaign=flash-sale&#38;subscriber=sub-astrid"');
  });
});
