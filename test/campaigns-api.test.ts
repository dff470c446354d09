import request from 'supertest';
import { DEMO_CAMPAIGN_IDS } from '../src/data/demo-data';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';
import { FIXED_NOW, SENDER } from './helpers/app-fixture';

/**
 * Campaigns as data through the API (README, "Campaigns"): what POST
 * /api/v1/campaigns writes is what the next open of a token for that
 * campaign sees, on the JSON, the image and the click.
 */

const PARTNER = 'deals@partner.example';
const at = (offsetMs: number): string => new Date(FIXED_NOW.getTime() + offsetMs).toISOString();
const HOUR = 3_600_000;

function ampAs(fixture: ApiApp, blockId: string, token: string, sender: string) {
  return request(fixture.app).get(`/amp/v1/blocks/${blockId}?t=${encodeURIComponent(token)}`).set('AMP-Email-Sender', sender);
}

describe('POST /api/v1/campaigns and GET', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const summer = {
    id: 'summer-sale',
    name: 'Summer Sale',
    endsAt: '2026-11-22T14:00:00+01:00',
    allowedSenders: ['partner.example'],
    markets: ['DE', 'AT'],
    templates: ['flash-sale'],
  };

  test('needs its own scopes: campaigns:write to write, campaigns:read to read', async () => {
    const withoutScope = await postJson(fixture, '/api/v1/campaigns', { campaigns: [summer] }, { key: fixture.keys.all });
    expect([withoutScope.status, withoutScope.body.error.code]).toEqual([403, 'api_scope_missing']);
    const readerWrites = await postJson(fixture, '/api/v1/campaigns', { campaigns: [summer] }, { key: fixture.keys.campaignsReadOnly });
    expect([readerWrites.status, readerWrites.body.error.code]).toEqual([403, 'api_scope_missing']);
    expect((await getJson(fixture, '/api/v1/campaigns', fixture.keys.all)).status).toBe(403);
    expect((await getJson(fixture, '/api/v1/campaigns', fixture.keys.campaignsReadOnly)).status).toBe(200);
  });

  test('creates a campaign, reads it back whole, and lists every campaign by id', async () => {
    const created = await postJson(fixture, '/api/v1/campaigns', { campaigns: [summer] }, { key: fixture.keys.campaigns });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, stale: [] });

    const one = await getJson(fixture, '/api/v1/campaigns/summer-sale', fixture.keys.campaignsReadOnly);
    expect(one.status).toBe(200);
    // The deadline in UTC; untimed writes are stamped with the server's now.
    expect(one.body.campaign).toEqual({ ...summer, endsAt: '2026-11-22T13:00:00.000Z', updatedAt: FIXED_NOW.toISOString() });

    const all = await getJson(fixture, '/api/v1/campaigns', fixture.keys.campaignsReadOnly);
    expect(all.body.campaigns.map((campaign: { id: string }) => campaign.id)).toEqual(['flash-sale', 'loyalty-update', 'spring-sale', 'style-survey', 'summer-sale', 'welcome']);

    const missing = await getJson(fixture, '/api/v1/campaigns/no-such-campaign', fixture.keys.campaignsReadOnly);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'campaign_not_found']);
  });

  test('one bad campaign answers 400 listing every problem, and nothing of the batch is written', async () => {
    const response = await postJson(
      fixture,
      '/api/v1/campaigns',
      {
        campaigns: [
          summer,
          {
            id: 'bad id!',
            name: 'Broken',
            endsAt: '2026-12-01T10:00',
            allowedSenders: ['news@shop.example', 'https://shop.example/'],
            markets: ['UK', 'de', 'XX'],
            templates: ['no-such-template'],
            ends_at: 'typo',
          },
          { id: 'nameless' },
        ],
      },
      { key: fixture.keys.campaigns },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    const problems = response.body.error.errors.map((problem: { index: number; path: string; message: string }) => `${problem.index} ${problem.path}: ${problem.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 id: expected 1–128 letters, digits/),
        expect.stringMatching(/^1 endsAt: expected an ISO 8601 time with a zone/),
        expect.stringMatching(/^1 allowedSenders\.1: expected an email address .* which is a URL; write only the domain you send from, e\.g\. "shop\.example"/),
        expect.stringMatching(/^1 markets\.0: .*the United Kingdom as GB/),
        expect.stringMatching(/^1 markets\.1: .*\(write "DE"\)/),
        expect.stringMatching(/^1 markets\.2: .*"XX" is not an assigned country code/),
        '1 templates.0: unknown template "no-such-template"; expected one of the templates in amp-templates/: flash-sale, loyalty-update, style-survey, welcome',
        '1 ends_at: unknown field; did you mean "endsAt"?',
      ]),
    );
    expect(problems).toHaveLength(8);
    expect((await getJson(fixture, '/api/v1/campaigns/summer-sale', fixture.keys.campaigns)).status).toBe(404);

    // A new campaign needs a name: the same all-or-nothing answer.
    const nameless = await postJson(fixture, '/api/v1/campaigns', { campaigns: [summer, { id: 'nameless' }] }, { key: fixture.keys.campaigns });
    expect(nameless.status).toBe(400);
    expect(nameless.body.error.errors).toEqual([{ index: 1, path: 'name', message: 'required for a new campaign (no campaign "nameless" is stored yet)' }]);
    expect((await getJson(fixture, '/api/v1/campaigns/summer-sale', fixture.keys.campaigns)).status).toBe(404);
  });

  test('an update older than the stored one is ignored and reported stale; fields left out keep their value', async () => {
    await postJson(fixture, '/api/v1/campaigns', { campaigns: [{ ...summer, updatedAt: at(-HOUR) }] }, { key: fixture.keys.campaigns });
    const renamed = await postJson(fixture, '/api/v1/campaigns', { campaigns: [{ id: 'summer-sale', name: 'Summer Sale II', updatedAt: at(-30 * 60_000) }] }, { key: fixture.keys.campaigns });
    expect(renamed.body).toMatchObject({ updated: 1, stale: [] });

    const older = await postJson(fixture, '/api/v1/campaigns', { campaigns: [{ id: 'summer-sale', name: 'Old news', endsAt: null, updatedAt: at(-2 * HOUR) }] }, { key: fixture.keys.campaigns });
    expect(older.status).toBe(200);
    expect(older.body).toEqual({ received: 1, created: 0, updated: 0, unchanged: 0, stale: [{ index: 0, id: 'summer-sale', storedUpdatedAt: at(-30 * 60_000) }] });
    const stored = (await getJson(fixture, '/api/v1/campaigns/summer-sale', fixture.keys.campaigns)).body.campaign;
    expect(stored).toMatchObject({ name: 'Summer Sale II', endsAt: '2026-11-22T13:00:00.000Z', markets: ['DE', 'AT'], allowedSenders: ['partner.example'] });
  });
});

describe('a campaign written through the API, then opened with a token', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const write = (campaign: object) => postJson(fixture, '/api/v1/campaigns', { campaigns: [campaign] }, { key: fixture.keys.campaigns });

  test('its allowedSenders decide the AMP CORS sender check, at once after a change', async () => {
    expect((await write({ id: 'partner-drop', name: 'Partner drop', allowedSenders: ['partner.example'] })).status).toBe(200);
    const token = fixture.token('sub-emma', 'partner-drop');
    const allowed = await ampAs(fixture, 'picks', token, PARTNER);
    expect(allowed.status).toBe(200);
    expect(allowed.headers['amp-email-allow-sender']).toBe(PARTNER);
    const stranger = await ampAs(fixture, 'picks', token, 'news@elsewhere.example');
    expect([stranger.status, stranger.body.error.code]).toEqual([403, 'sender_not_allowed']);

    await write({ id: 'partner-drop', allowedSenders: ['elsewhere.example'] });
    expect((await ampAs(fixture, 'picks', token, PARTNER)).status).toBe(403);
    expect((await ampAs(fixture, 'picks', token, 'news@elsewhere.example')).status).toBe(200);
  });

  test('its endsAt drives the countdown, and a new endsAt is what the next open counts down to', async () => {
    await write({ id: 'weekend', name: 'Weekend', endsAt: at(2 * HOUR) });
    const token = fixture.token('sub-emma', 'weekend');
    const first = await ampAs(fixture, 'flash-countdown', token, SENDER);
    expect(first.body.items[0]).toMatchObject({ kind: 'countdown', state: 'running', deadline: at(2 * HOUR), text: '02:00:00' });

    await write({ id: 'weekend', endsAt: at(5 * HOUR + 30 * 60_000) });
    const next = await ampAs(fixture, 'flash-countdown', token, SENDER);
    expect(next.body.items[0]).toMatchObject({ state: 'running', deadline: at(5 * HOUR + 30 * 60_000), text: '05:30:00' });

    await write({ id: 'weekend', endsAt: at(-60_000) });
    expect((await ampAs(fixture, 'flash-countdown', token, SENDER)).body.items[0]).toMatchObject({ state: 'expired' });
  });

  test('a countdown in a campaign without a deadline shows the fallback, without a log line per open', async () => {
    const token = fixture.token('sub-emma', DEMO_CAMPAIGN_IDS.loyaltyUpdate);
    for (let open = 0; open < 3; open++) {
      const response = await ampAs(fixture, 'flash-countdown', token, SENDER);
      expect(response.status).toBe(200);
      expect(response.body.items[0].kind).toBe('fallback');
    }
    const image = await request(fixture.app).get(`/img/v1/blocks/flash-countdown.png?t=${token}`);
    expect([image.status, image.headers['x-opentime-outcome']]).toEqual([200, 'fallback']);
    expect(fixture.logLines().filter((line) => line.includes('fallback'))).toEqual([]);
  });
});

describe('a token for a campaign nobody created', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ logLevel: 'info' });
  });
  afterEach(() => fixture.close());

  test('JSON: 404 campaign_not_found with the AMP CORS grant, so amp-list shows its fallback', async () => {
    const token = fixture.token('sub-emma', 'no-such-campaign');
    for (const sender of [SENDER, PARTNER]) {
      const response = await ampAs(fixture, 'picks', token, sender);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('campaign_not_found');
      expect(response.headers['amp-email-allow-sender']).toBe(sender);
    }
    // CORS version 1 gets its grant too.
    const v1 = await request(fixture.app)
      .get(`/amp/v1/blocks/picks?t=${token}&__amp_source_origin=${encodeURIComponent(SENDER)}`)
      .set('Origin', 'https://mail.google.com');
    expect(v1.status).toBe(404);
    expect(v1.headers['amp-access-control-allow-source-origin']).toBe(SENDER);
    expect(v1.headers['access-control-allow-origin']).toBe('https://mail.google.com');
  });

  test('image: the generic picture, as for a refused token; click: the default URL', async () => {
    fixture.drawnViews.length = 0;
    const image = await request(fixture.app).get(`/img/v1/blocks/picks.png?t=${fixture.token('sub-emma', 'no-such-campaign')}`);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    const refused = await request(fixture.app).get('/img/v1/blocks/picks.png?t=not-a-token');
    expect(image.body.equals(refused.body)).toBe(true);
    expect(fixture.drawnViews.some((view) => view.kind === 'recommendations' && view.title === 'Our best-sellers')).toBe(true);
    expect(fixture.logLines().some((line) => line.includes('image token names an unknown campaign'))).toBe(true);

    const click = await request(fixture.app).get(`/c/v1/blocks/picks/0?t=${fixture.token('sub-emma', 'no-such-campaign')}`);
    expect(click.status).toBe(302);
    expect(click.headers.location).toBe('https://shop.example/new');
  });
});
