import fs from 'node:fs';
import { Writable } from 'node:stream';
import request from 'supertest';
import { ApiKeyring, generateApiKey } from '../src/api/api-keys';
import { createApp, type OpentimeApp } from '../src/app';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { loadFormsConfig } from '../src/forms/forms-config';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { createLogger } from '../src/log';
import { BlockLocks } from '../src/recording/block-locks';
import { ImpressionLog } from '../src/recording/impression-log';
import { RenderLog } from '../src/recording/render-log';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../src/storage/storage';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { AUDIENCE, DEMO_BLOCKS_FILE, DEMO_FORMS_FILE, FIXED_NOW, SENDER, testKeyring } from './helpers/app-fixture';
import { getBytes } from './helpers/image-app';

/**
 * The preview API (README "Preview"): a block or a whole email as a
 * subscriber's open would show it at a moment, in a client, recording
 * nothing. The demo flash sale ends 2026-11-25T10:00Z (FIXED_NOW + 3 days).
 */

/** The demo blocks and one that locks at the first open. */
const BLOCKS_YAML = `${fs.readFileSync(DEMO_BLOCKS_FILE, 'utf8')}
  - id: picks-locked
    kind: recommendations
    count: 4
    defaultUrl: https://shop.example/new
    lockAtFirstOpen: true
`;

const AT = '2026-11-22T10:00:00Z';
const AFTER_DEADLINE = '2026-11-26T08:00:00Z';

interface PreviewFixture {
  app: OpentimeApp;
  storage: Storage;
  key: string;
  otherKey: string;
  renderLog: RenderLog;
  impressions: ImpressionLog;
  locks: BlockLocks;
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function createPreviewFixture(): Promise<PreviewFixture> {
  const storage = openSqliteStorage(':memory:');
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
  const logger = createLogger('warn', new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  const consoleKey = generateApiKey('ops', ['console']);
  const reportsKey = generateApiKey('analyst', ['reports:read', 'campaigns:read']);
  // Held by the test, so it can write what is pending and then read the stores.
  const renderLog = new RenderLog(storage.renderLog, { flushIntervalMs: 60_000, logger });
  const impressions = new ImpressionLog(storage.impressions, { flushIntervalMs: 60_000, logger });
  const locks = new BlockLocks(storage.locks, { logger });
  const app = createApp({
    storage,
    blocks: parseBlocksConfig(BLOCKS_YAML, 'preview test blocks'),
    // The demo forms, as the server loads them: the style-results block reads its poll there.
    forms: loadFormsConfig(DEMO_FORMS_FILE),
    keyring: testKeyring,
    tokenAudience: AUDIENCE,
    globalAllowlist: SenderAllowlist.parse([SENDER]),
    logger,
    now: () => FIXED_NOW,
    publicUrl: 'https://opentime.test',
    renderLog,
    impressionLog: impressions,
    locks,
    api: { keys: new ApiKeyring([consoleKey.record, reportsKey.record]) },
  });
  const flush = async () => {
    await Promise.all([renderLog.flush(), impressions.close(), locks.flush()]);
  };
  return {
    app,
    storage,
    key: consoleKey.key,
    otherKey: reportsKey.key,
    renderLog,
    impressions,
    locks,
    flush,
    async close() {
      await Promise.all([renderLog.close(), impressions.close(), locks.close()]);
      await storage.close();
    },
  };
}

function get(fx: PreviewFixture, path: string, key = fx.key) {
  return request(fx.app).get(path).set('Authorization', `Bearer ${key}`);
}

function getPicture(fx: PreviewFixture, path: string) {
  return getBytes(fx.app, path, { Authorization: `Bearer ${fx.key}` });
}

const blockPath = (block: string, query: string) => `/api/v1/preview/campaigns/flash-sale/blocks/${block}?${query}`;
const emailPath = (query: string) => `/api/v1/preview/campaigns/flash-sale/email?${query}`;

describe('preview API', () => {
  let fx: PreviewFixture;
  beforeAll(async () => {
    fx = await createPreviewFixture();
  });
  afterAll(() => fx.close());

  test("a block's JSON at a moment: the countdown counts down from it, in the subscriber's language", async () => {
    const early = await get(fx, blockPath('flash-countdown', `subscriber=sub-lena&at=${AT}`));
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ blockId: 'flash-countdown', outcome: 'view', locked: false, at: '2026-11-22T10:00:00.000Z', client: 'amp', locale: 'de-DE', imageFormat: 'gif' });
    expect(early.body.json.items[0]).toMatchObject({ state: 'running', headline: 'Sale endet in', text: '3 Tage 00:00:00' });
    expect(early.body.imageUrl).toBe('/api/v1/preview/campaigns/flash-sale/blocks/flash-countdown.gif?subscriber=sub-lena&at=2026-11-22T10%3A00%3A00.000Z&client=amp');

    const later = await get(fx, blockPath('flash-countdown', 'subscriber=sub-lena&at=2026-11-24T12:30:15%2B01:00'));
    // 2026-11-24T11:30:15Z: 22 h 29 min 45 s left, the last-day variant.
    expect(later.body.json.items[0]).toMatchObject({ state: 'running', text: '22:29:45', headline: 'Letzter Tag! Sale endet in' });
    expect(later.body.variant).toBe('last-day');
  });

  test('past the deadline the countdown JSON is the expired state', async () => {
    const res = await get(fx, blockPath('flash-countdown', `subscriber=sub-lena&at=${AFTER_DEADLINE}`));
    expect(res.status).toBe(200);
    expect(res.body.json.items[0]).toMatchObject({ state: 'expired', headline: 'Der Sale ist vorbei' });
  });

  test('the picture is drawn from the same view: a PNG of the product, a GIF of a running countdown', async () => {
    const png = await getPicture(fx, blockPath('hero-product.png', `subscriber=sub-lena&at=${AT}&client=gmail-proxy`));
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['x-opentime-outcome']).toBe('view');
    expect(png.headers['cache-control']).toBe('private, no-store');
    expect((png.body as Buffer).subarray(1, 4).toString('latin1')).toBe('PNG');
    const gif = await getPicture(fx, blockPath('flash-countdown.gif', `subscriber=sub-lena&at=${AT}`));
    expect(gif.headers['content-type']).toBe('image/gif');
    expect((gif.body as Buffer).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    // The phone picture (README "Phones"): 360 px wide, as ?layout=narrow on the image endpoint.
    const narrow = await getPicture(fx, blockPath('hero-product.png', `subscriber=sub-lena&at=${AT}&layout=narrow`));
    expect(narrow.status).toBe(200);
    expect((narrow.body as Buffer).readUInt32BE(16)).toBe(360);
  });

  test('the whole email: HTML part on preview pictures, the AMP part filled from the JSON, sizes and the verdict', async () => {
    const res = await get(fx, emailPath(`subscriber=sub-lena&at=${AT}`));
    expect(res.status).toBe(200);
    expect(res.body.template).toBe('flash-sale');
    expect(res.body.blocks.map((block: { blockId: string }) => block.blockId)).toEqual(['flash-countdown', 'hero-product', 'picks']);
    // HTML part: our pictures from the preview endpoint, no token, clicks straight to the destination.
    expect(res.body.html).toContain('src="/api/v1/preview/campaigns/flash-sale/blocks/flash-countdown.gif?subscriber=sub-lena&amp;at=2026-11-22T10%3A00%3A00.000Z&amp;client=amp"');
    expect(res.body.html).toContain('blocks/picks.png?subscriber=sub-lena&amp;at=2026-11-22T10%3A00%3A00.000Z&amp;client=amp&amp;slot=header');
    expect(res.body.html).not.toMatch(/\/img\/v1\/|\/c\/v1\/|%%OPENTIME_/);
    expect(res.body.html).toContain('href="https://shop.example/sale"');
    // AMP part: each amp-mustache template filled from its block's JSON; no script, no hidden body.
    const countdown = res.body.blocks[0].json.items[0];
    expect(res.body.ampRendered).toContain(`<p class="cd-headline">${countdown.headline}</p>`);
    expect(res.body.ampRendered).toContain('<span class="cd-value">3</span><span class="cd-label">Tage</span>');
    expect(res.body.ampRendered).toContain('Für dich ausgewählt, Lena');
    expect(res.body.ampRendered).not.toMatch(/<script|<amp-list|amp4email-boilerplate|\{\{/);
    expect(res.body.sizes).toEqual({
      ampBytes: expect.any(Number),
      ampLimit: 200_000,
      styleBytes: expect.any(Number),
      styleLimit: 75_000,
      htmlBytes: expect.any(Number),
      gmailClipAt: 102_400,
    });
    const template = fs.readFileSync(`${__dirname}/../amp-templates/flash-sale.amp.html`, 'utf8');
    // As sent: the placeholders replaced by this server's URL and a real token, longer than the markers.
    expect(res.body.sizes.ampBytes).toBeGreaterThan(Buffer.byteLength(template));
    expect(res.body.sizes.styleBytes).toBeGreaterThan(1000);
    expect(res.body.validator).toMatchObject({ status: 'pass', errors: [] });
    expect(res.body.validator.engine).toMatch(/validator_wasm\.js/);
  }, 30_000);

  test('past the deadline the AMP part shows the expired template branch', async () => {
    const res = await get(fx, emailPath(`subscriber=sub-lena&at=${AFTER_DEADLINE}`));
    expect(res.body.ampRendered).toContain('<p class="cd-headline">Der Sale ist vorbei</p>');
    expect(res.body.ampRendered).not.toContain('class="cd-units"');
  }, 30_000);

  test('previews record nothing: no render log row, no impression, no lock claimed', async () => {
    for (const client of ['amp', 'gmail-proxy', 'direct']) {
      await get(fx, blockPath('picks-locked', `subscriber=sub-emma&at=${AT}&client=${client}`)).expect(200);
      await getPicture(fx, blockPath('picks-locked.png', `subscriber=sub-emma&at=${AT}&client=${client}`)).expect(200);
    }
    await get(fx, emailPath(`subscriber=sub-emma&at=${AT}`)).expect(200);
    await fx.flush();
    expect(await fx.storage.renderLog.campaignReportCounts('flash-sale')).toEqual([]);
    expect(await fx.storage.impressions.latest('sub-emma', 'flash-sale', 'picks-locked')).toBeUndefined();
    expect(await fx.storage.impressions.latest('sub-emma', 'flash-sale', 'hero-product')).toBeUndefined();
    expect(await fx.storage.locks.get('flash-sale', 'picks-locked', 'sub-emma')).toBeUndefined();
  }, 30_000);

  test("a subscriber's lock is shown and said; an open of the same block still records and locks (the control)", async () => {
    const token = signSubscriberToken(testKeyring, { subscriberId: 'sub-oliver', campaignId: 'flash-sale' }, { audience: AUDIENCE, now: FIXED_NOW });
    const opened = await request(fx.app).get(`/amp/v1/blocks/picks-locked?t=${token}`).set('AMP-Email-Sender', SENDER).expect(200);
    await fx.flush();
    const lock = await fx.storage.locks.get('flash-sale', 'picks-locked', 'sub-oliver');
    expect(lock).toBeDefined();
    expect(await fx.storage.renderLog.campaignReportCounts('flash-sale')).toEqual([expect.objectContaining({ blockId: 'picks-locked', renders: 1 })]);

    // Oliver buys what the frozen view shows: live picks would change, the lock keeps them.
    const shown = (opened.body.items[0].products as { id: string }[]).map((product) => product.id);
    await fx.storage.ingestion.applySubscriberPatches([{ id: 'sub-oliver', purchases: shown, updatedAt: '2026-11-22T09:59:00.000Z' }], { now: FIXED_NOW, onIncomplete: 'abort' });
    const preview = await get(fx, blockPath('picks-locked', `subscriber=sub-oliver&at=${AT}`));
    expect(preview.body.locked).toBe(true);
    expect(preview.body.json).toEqual(opened.body);
    const live = await get(fx, blockPath('picks', `subscriber=sub-oliver&at=${AT}`));
    expect((live.body.json.items[0].products as { id: string }[]).map((product) => product.id)).not.toEqual(shown);
  });

  test("a poll-results block shows its poll's live results in the campaign, as the open does, in JSON, picture and the whole email", async () => {
    const vote = (subscriberId: string, answer: string) =>
      fx.storage.pollAnswers.answer({ campaignId: 'style-survey', pollId: 'style-poll', subscriberId, answer, answeredAt: FIXED_NOW.getTime() }, 'change');
    await vote('sub-emma', 'bold');
    await vote('sub-oliver', 'bold');
    await vote('sub-lena', 'minimal');
    const surveyBlock = (query: string) => `/api/v1/preview/campaigns/style-survey/blocks/style-results${query}`;
    const preview = await get(fx, surveyBlock(`?subscriber=sub-lena&at=${AT}`));
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ outcome: 'view', reason: null, kind: 'poll-results' });
    expect(preview.body.json.items[0]).toMatchObject({
      totalText: '3 Stimmen',
      answers: [
        { id: 'classic', count: 0, percent: 0 },
        { id: 'bold', count: 2, percent: 67 },
        { id: 'minimal', count: 1, percent: 33 },
      ],
    });
    // What an open with Lena's token answers at the same moment.
    const token = signSubscriberToken(testKeyring, { subscriberId: 'sub-lena', campaignId: 'style-survey' }, { audience: AUDIENCE, now: FIXED_NOW });
    const opened = await request(fx.app).get(`/amp/v1/blocks/style-results?t=${token}`).set('AMP-Email-Sender', SENDER);
    expect(preview.body.json).toEqual(opened.body);
    const picture = await getPicture(fx, surveyBlock(`.png?subscriber=sub-lena&at=${AT}`));
    expect(picture.headers['x-opentime-outcome']).toBe('view');
    // Each campaign counts its own answers: the flash sale has none.
    const elsewhere = await get(fx, blockPath('style-results', `subscriber=sub-lena&at=${AT}`));
    expect(elsewhere.body.json.items[0].totalText).toBe('Noch keine Stimmen');

    const email = await get(fx, `/api/v1/preview/campaigns/style-survey/email?subscriber=sub-lena&at=${AT}`);
    expect(email.body.template).toBe('style-survey');
    expect(email.body.ampRendered).toContain('<p class="result-total">3 Stimmen</p>');
    expect(email.body.validator).toMatchObject({ status: 'pass', errors: [], warnings: [] });
  }, 30_000);

  test('Apple prefetch is said to be no human open', async () => {
    const res = await get(fx, blockPath('hero-product', `subscriber=sub-lena&at=${AT}&client=apple-prefetch`));
    expect(res.body).toMatchObject({ client: 'apple-prefetch', humanOpen: false, outcome: 'view' });
  });

  test.each([
    ['no subscriber', blockPath('hero-product', `at=${AT}`), 400, 'query_invalid', /subscriber: expected a subscriber id/],
    ['a moment without a zone', blockPath('hero-product', 'subscriber=sub-lena&at=2026-11-22T10:00'), 400, 'query_invalid', /at: expected an ISO 8601 time with a zone/],
    ['a moment that does not exist', blockPath('hero-product', 'subscriber=sub-lena&at=2026-02-30T10:00:00Z'), 400, 'query_invalid', /at:/],
    ['an unknown client', blockPath('hero-product', 'subscriber=sub-lena&client=outlook'), 400, 'query_invalid', /client: expected one of amp, gmail-proxy, apple-prefetch, direct/],
    ['a bad slot', blockPath('picks.png', 'subscriber=sub-lena&slot=9999'), 400, 'query_invalid', /slot: expected header or a slot number/],
    ['an unknown layout', blockPath('picks.png', 'subscriber=sub-lena&layout=sideways'), 400, 'query_invalid', /layout: expected wide or narrow/],
    ['an unknown subscriber', blockPath('hero-product', 'subscriber=sub-nobody'), 404, 'subscriber_not_found', /sub-nobody/],
    ['an unknown block', blockPath('nope', 'subscriber=sub-lena'), 404, 'block_not_found', /nope/],
    ['an unknown campaign', '/api/v1/preview/campaigns/nope/email?subscriber=sub-lena', 404, 'campaign_not_found', /nope/],
    ['an unknown template', emailPath('subscriber=sub-lena&template=nope'), 404, 'template_not_found', /Available: (.+, )?flash-sale, (.+, )?loyalty-update/],
  ])('%s is a documented 4xx', async (_case, path, status, code, detail) => {
    const res = await get(fx, path);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.detail).toMatch(detail);
  });

  test('needs an API key with the console scope', async () => {
    const none = await request(fx.app).get(blockPath('hero-product', 'subscriber=sub-lena'));
    expect(none.status).toBe(401);
    const other = await get(fx, blockPath('hero-product', 'subscriber=sub-lena'), fx.otherKey);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('api_scope_missing');
  });
});
