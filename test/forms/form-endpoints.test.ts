import { Writable } from 'node:stream';
import request from 'supertest';
import { ApiKeyring, generateApiKey } from '../../src/api/api-keys';
import { createApp, type OpentimeApp } from '../../src/app';
import { loadBlocksConfig } from '../../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { parseFormsConfig, type FormsCatalog } from '../../src/forms/forms-config';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import { withCatalogueCache } from '../../src/storage/cache/with-catalogue-cache';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import { AUDIENCE, DEMO_BLOCKS_FILE, FIXED_NOW, SENDER, testKeyring } from '../helpers/app-fixture';

const FORMS = `
limits: { perTokenPerMinute: 5, perAddressPerMinute: 1000, maxBodyBytes: 1024 }
forms:
  - id: style-poll
    kind: poll
    question: Which look?
    answers: [{ id: classic, label: Timeless classics }, { id: bold, label: Bold colour }]
    landingUrl: https://shop.example/thanks
  - id: strict-poll
    kind: poll
    question: Only once
    secondAnswer: refuse
    answers: [{ id: yes, label: Yes }, { id: no, label: No }]
    landingUrl: https://shop.example/thanks
  - id: back-in-stock
    kind: notify
  - id: preferences
    kind: preferences
    fields: [city, country]
  - id: shop-currency
    kind: preferences
    fields: [currency]
`;

const EMMA = 'sub-emma';
const reader = generateApiKey('crm', ['subscribers:read']);
const writer = generateApiKey('feed', ['products:write']);
const SOLD_OUT = 'down-parka-black';

describe('AMP forms over HTTP', () => {
  let storage: Storage;
  let app: OpentimeApp;
  let forms: FormsCatalog;
  const token = (subscriberId = EMMA, campaignId = 'flash-sale'): string => signSubscriberToken(testKeyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: FIXED_NOW });
  const post = (formId: string, subscriberId = EMMA) => request(app).post(`/amp/v1/forms/${formId}?t=${token(subscriberId)}`).set('AMP-Email-Sender', SENDER);

  beforeEach(async () => {
    storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: 1000 });
    await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
    forms = parseFormsConfig(FORMS, 'forms.yaml');
    app = createApp({
      storage,
      blocks: loadBlocksConfig(DEMO_BLOCKS_FILE),
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger: createLogger('info', new Writable({ write: (_chunk, _encoding, callback) => callback() })),
      now: () => FIXED_NOW,
      forms,
      api: { keys: new ApiKeyring([reader.record, writer.record]) },
    });
  });
  afterEach(() => storage.close());

  describe('AMP for Email CORS on POST', () => {
    it('version 2: grants the sender and records the answer', async () => {
      const res = await post('style-poll').type('form').send('answer=bold');
      expect(res.status).toBe(200);
      expect(res.headers['amp-email-allow-sender']).toBe(SENDER);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['cache-control']).toMatch(/no-store/);
      expect(res.body).toMatchObject({ form: 'style-poll', kind: 'poll', outcome: 'recorded', answer: 'bold', answerLabel: 'Bold colour', results: { total: 1 } });
    });

    it('version 1: Origin and __amp_source_origin, answered with the source origin exposed', async () => {
      const res = await request(app)
        .post(`/amp/v1/forms/style-poll?t=${token()}&__amp_source_origin=${encodeURIComponent(SENDER)}`)
        .set('Origin', 'https://mail.google.com')
        .type('form')
        .send('answer=classic');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://mail.google.com');
      expect(res.headers['amp-access-control-allow-source-origin']).toBe(SENDER);
      expect(res.headers['access-control-expose-headers']).toBe('AMP-Access-Control-Allow-Source-Origin');
    });

    it('a preflight is answered 204 with POST allowed', async () => {
      const res = await request(app).options('/amp/v1/forms/style-poll').set('Origin', 'https://mail.google.com').set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'amp-email-sender, content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-headers']).toBe('amp-email-sender, content-type');
    });

    it('no CORS headers at all: 403 amp_cors_missing, nothing recorded', async () => {
      const res = await request(app).post(`/amp/v1/forms/style-poll?t=${token()}`).type('form').send('answer=bold');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('amp_cors_missing');
      expect(await storage.pollAnswers.results('flash-sale', 'style-poll')).toEqual({});
    });

    it('a sender nobody allows: 403 sender_not_allowed without the grant, nothing recorded', async () => {
      const res = await request(app).post(`/amp/v1/forms/style-poll?t=${token()}`).set('AMP-Email-Sender', 'spam@elsewhere.example').type('form').send('answer=bold');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('sender_not_allowed');
      expect(res.headers['amp-email-allow-sender']).toBeUndefined();
      expect(await storage.pollAnswers.results('flash-sale', 'style-poll')).toEqual({});
    });

    it('errors carry the grant, so submit-error can show them: bad token, unknown form, unknown campaign', async () => {
      const badToken = await request(app).post('/amp/v1/forms/style-poll?t=nope').set('AMP-Email-Sender', SENDER).type('form').send('answer=bold');
      expect([badToken.status, badToken.body.error.code, badToken.headers['amp-email-allow-sender']]).toEqual([401, 'token_invalid', SENDER]);
      const unknownForm = await post('nope').type('form').send('answer=bold');
      expect([unknownForm.status, unknownForm.body.error.code, unknownForm.headers['amp-email-allow-sender']]).toEqual([404, 'form_not_found', SENDER]);
      const noCampaign = await request(app).post(`/amp/v1/forms/style-poll?t=${token(EMMA, 'gone')}`).set('AMP-Email-Sender', SENDER).type('form').send('answer=bold');
      expect([noCampaign.status, noCampaign.body.error.code]).toEqual([404, 'campaign_not_found']);
    });

    it('never redirects, and refuses GET with the methods it takes', async () => {
      const res = await request(app).get(`/amp/v1/forms/style-poll?t=${token()}`).set('AMP-Email-Sender', SENDER);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST, OPTIONS');
      expect(res.headers['amp-email-allow-sender']).toBe(SENDER);
    });
  });

  describe('bodies', () => {
    it('takes multipart/form-data as well as urlencoded', async () => {
      const res = await post('style-poll').field('answer', 'classic');
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe('recorded');
      expect(await storage.pollAnswers.results('flash-sale', 'style-poll')).toEqual({ classic: 1 });
    });

    it('refuses unknown fields, a field twice, a file, other media types and bodies over the limit, naming what was wrong', async () => {
      const unknown = await post('style-poll').type('form').send('answer=bold&subscriberId=sub-oliver');
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toMatchObject({ code: 'form_invalid', errors: [{ path: 'subscriberId', message: 'unknown field; expected "answer"' }] });
      const twice = await post('style-poll').type('form').send('answer=bold&answer=classic');
      expect(twice.body.error.errors[0]).toMatchObject({ path: 'answer', message: 'given more than once; expected one value' });
      const wrong = await post('style-poll').type('form').send('answer=purple');
      expect(wrong.body.error.errors[0].message).toBe('expected one of: classic, bold; received "purple"');
      const file = await post('style-poll').attach('answer', Buffer.from('x'), 'x.txt');
      expect([file.status, file.body.error.code]).toEqual([400, 'form_invalid']);
      const json = await post('style-poll').send({ answer: 'bold' });
      expect([json.status, json.body.error.code]).toEqual([415, 'form_media_type_unsupported']);
      const big = await post('style-poll').type('form').send(`answer=${'b'.repeat(2000)}`);
      expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large']);
      expect(await storage.pollAnswers.results('flash-sale', 'style-poll')).toEqual({});
    });
  });

  describe('polls', () => {
    it('one vote per subscriber under 50 concurrent submissions; results say so', async () => {
      // Spread over 10 subscribers (5 each, the per-token limit), all at once.
      const subscribers = Array.from({ length: 10 }, (_, i) => `reader-${i}`);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => post('style-poll', subscribers[i % 10]).type('form').send(`answer=${i % 2 === 0 ? 'bold' : 'classic'}`)),
      );
      expect(responses.every((res) => res.status === 200)).toBe(true);
      expect(responses.filter((res) => res.body.outcome === 'recorded')).toHaveLength(10);
      const results = await storage.pollAnswers.results('flash-sale', 'style-poll');
      expect(Object.values(results).reduce((sum, count) => sum + count, 0)).toBe(10);
      const live = await request(app).get(`/amp/v1/forms/style-poll/results?t=${token()}`).set('AMP-Email-Sender', SENDER);
      expect(live.status).toBe(200);
      expect(live.body.items[0]).toMatchObject({ question: 'Which look?', total: 10 });
      expect(live.body.items[0].answers.reduce((sum: number, a: { percent: number }) => sum + a.percent, 0)).toBe(100);
    });

    it('a replay is idempotent; a second answer changes it or is refused as configured', async () => {
      await post('style-poll').type('form').send('answer=bold');
      expect((await post('style-poll').type('form').send('answer=bold')).body.outcome).toBe('unchanged');
      expect((await post('style-poll').type('form').send('answer=classic')).body).toMatchObject({ outcome: 'changed', results: { total: 1 } });
      await post('strict-poll').type('form').send('answer=yes');
      const refused = await post('strict-poll').type('form').send('answer=no');
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'answer_already_given', detail: 'Your answer "Yes" is already recorded.' });
      expect(await storage.pollAnswers.results('flash-sale', 'strict-poll')).toEqual({ yes: 1 });
    });

    it('is scoped to the token: the same reader in another campaign is another vote', async () => {
      await post('style-poll').type('form').send('answer=bold');
      await request(app).post(`/amp/v1/forms/style-poll?t=${token(EMMA, 'loyalty-update')}`).set('AMP-Email-Sender', SENDER).type('form').send('answer=classic');
      expect(await storage.pollAnswers.results('flash-sale', 'style-poll')).toEqual({ bold: 1 });
      expect(await storage.pollAnswers.results('loyalty-update', 'style-poll')).toEqual({ classic: 1 });
    });

    it('rate-limits per token: the sixth submission in a minute is 429 with Retry-After', async () => {
      for (let i = 0; i < 5; i++) expect((await post('style-poll').type('form').send('answer=bold')).status).toBe(200);
      const limited = await post('style-poll').type('form').send('answer=bold');
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['amp-email-allow-sender']).toBe(SENDER);
    });

    it('the link version records the vote and lands on the configured page; a bad token lands there too, recording nothing', async () => {
      const res = await request(app).get(`/c/v1/forms/style-poll/bold?t=${token('sub-oliver')}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('https://shop.example/thanks?answer=bold');
      const refused = await request(app).get('/c/v1/forms/style-poll/classic?t=forged');
      expect(refused.headers.location).toBe('https://shop.example/thanks?answer=classic');
      expect(await storage.pollAnswers.results('flash-sale', 'style-poll')).toEqual({ bold: 1 });
      const unknownAnswer = await request(app).get(`/c/v1/forms/style-poll/purple?t=${token('sub-oliver')}`);
      expect(unknownAnswer.headers.location).toBe('https://shop.example/thanks');
    });
  });

  describe('notify me', () => {
    it('stores one request per subscriber and product; an in-stock product needs none', async () => {
      const first = await post('back-in-stock').type('form').send(`productId=${SOLD_OUT}`);
      expect(first.body).toMatchObject({ kind: 'notify', outcome: 'requested', inStock: false, productId: SOLD_OUT });
      const inStock = await post('back-in-stock').type('form').send('productId=merino-crew-navy');
      expect(inStock.body).toMatchObject({ outcome: 'in_stock', inStock: true });
      expect((await post('back-in-stock').type('form').send(`productId=${SOLD_OUT}`)).body.outcome).toBe('already_requested');
      expect(await storage.notifyRequests.list({ productId: SOLD_OUT, limit: 10 })).toEqual([
        { subscriberId: EMMA, productId: SOLD_OUT, campaignId: 'flash-sale', requestedAt: FIXED_NOW.getTime(), notifiedAt: null },
      ]);
      const unknown = await post('back-in-stock').type('form').send('productId=nope');
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'product_not_found']);
    });

    it('lists requests through the API (scope subscribers:read); a restock through the API marks them notified', async () => {
      await post('back-in-stock', 'sub-oliver').type('form').send(`productId=${SOLD_OUT}`);
      await post('back-in-stock').type('form').send(`productId=${SOLD_OUT}`);
      const list = (query: string, key = reader.key) => request(app).get(`/api/v1/notify-requests${query}`).set('Authorization', `Bearer ${key}`);
      const waiting = await list(`?productId=${SOLD_OUT}&waiting=true`);
      expect(waiting.status).toBe(200);
      expect(waiting.body.requests.map((r: { subscriberId: string }) => r.subscriberId).sort()).toEqual([EMMA, 'sub-oliver']);
      expect(waiting.body.requests[0]).toMatchObject({ productId: SOLD_OUT, campaignId: 'flash-sale', requestedAt: FIXED_NOW.toISOString(), notifiedAt: null });
      expect((await list('', writer.key)).body.error.code).toBe('api_scope_missing');
      expect((await list('?waiting=maybe')).body.error).toMatchObject({ code: 'bad_request', detail: 'waiting: expected true or false' });
      await request(app).post('/api/v1/products').set('Authorization', `Bearer ${writer.key}`).send({ products: [{ id: SOLD_OUT, stock: 4 }] }).expect(200);
      expect((await list(`?productId=${SOLD_OUT}&waiting=true`)).body.requests).toEqual([]);
      expect((await list(`?waiting=false`)).body.requests.map((r: { notifiedAt: string }) => r.notifiedAt)).toEqual([FIXED_NOW.toISOString(), FIXED_NOW.toISOString()]);
      expect((await storage.webhookOutbox.states(10)).map((state) => state.type)).toEqual(['product.back_in_stock', 'product.back_in_stock']);
    });
  });

  describe('preferences', () => {
    it('changes the allowed profile fields through ingestion; the next open sees them; other fields are refused', async () => {
      const res = await post('preferences').type('form').send('city=Boston&country=us');
      expect(res.body).toEqual({ form: 'preferences', kind: 'preferences', outcome: 'updated', changed: ['city', 'country'] });
      expect(await storage.catalogue.getSubscriber(EMMA)).toMatchObject({ city: 'Boston', country: 'US' });
      expect((await post('preferences').type('form').send('city=Boston&country=US')).body.outcome).toBe('unchanged');
      const refused = await post('preferences').type('form').send('loyaltyPoints=99999');
      expect(refused.body.error.errors[0]).toMatchObject({ path: 'loyaltyPoints', message: 'unknown field; expected "city", "country"' });
      const invalid = await post('preferences').type('form').send('country=Germany');
      expect(invalid.body.error.errors[0]).toMatchObject({ path: 'country' });
    });

    it('the next open shows the change: a reader who picks pounds sees the hero product in pounds', async () => {
      const open = async (): Promise<string> => {
        const res = await request(app).get(`/amp/v1/blocks/hero-product?t=${token()}`).set('AMP-Email-Sender', SENDER).expect(200);
        return JSON.stringify(res.body.items);
      };
      expect(await open()).toContain('$');
      expect((await post('shop-currency').type('form').send('currency=gbp')).body.outcome).toBe('updated');
      const after = await open();
      expect(after).toContain('£');
      expect(after).not.toContain('$');
    });
  });
});
