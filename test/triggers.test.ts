import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ApiKeyring, generateApiKey } from '../src/api/api-keys';
import { createApp, type OpentimeApp } from '../src/app';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import type { MessageTransport, OutgoingMessage } from '../src/delivery/transport';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { createLogger } from '../src/log';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import type { TriggerJobStore } from '../src/storage/ports/trigger-jobs';
import { loadTriggersConfig, parseTriggersConfig, type TriggersCatalog } from '../src/triggers/trigger-config';
import { TriggerIntake } from '../src/triggers/trigger-intake';
import { priceDropped } from '../src/triggers/catalogue-triggers';
import type { Product } from '../src/data/model';
import { TriggerWorker, type TriggerWorkerOptions } from '../src/triggers/trigger-worker';
import { triggerSendsCounter } from '../src/triggers/trigger-metrics';
import { Registry } from 'prom-client';
import { verifySubscriberToken } from '../src/tokens/subscriber-token';
import { AUDIENCE, DEMO_BLOCKS_FILE, SENDER, testKeyring } from './helpers/app-fixture';

const MINUTE = 60_000;

/** A receiver that deduplicates by idempotency key, as an ESP does: every delivery is counted, each key kept once. */
class DedupingSink implements MessageTransport {
  readonly name = 'webhook';
  readonly keepsMessage = false;
  deliveries: OutgoingMessage[] = [];
  readonly kept = new Map<string, OutgoingMessage>();
  async send(message: OutgoingMessage): Promise<string> {
    this.deliveries.push(message);
    if (!this.kept.has(message.idempotencyKey)) this.kept.set(message.idempotencyKey, message);
    return '202 Accepted';
  }
  close(): void {}
}

const CART_TRIGGER = `
delivery:
  recipient: "{subscriberId}@shop.example"
triggers:
  - id: cart-abandonment
    when: added_to_cart
    cancelWhen: [purchased, removed_from_cart]
    delay: 30m
    requireInCart: true
    frequencyCapPerDay: 0
    campaign: flash-sale
    template: flash-sale
`;

interface Fixture {
  dir: string;
  storage: SqliteStorage;
  app: OpentimeApp;
  clock: { now: number };
  sink: DedupingSink;
  catalog: TriggersCatalog;
  key: string;
  worker(jobs?: TriggerJobStore, concurrency?: number, onSettled?: TriggerWorkerOptions['onSettled']): TriggerWorker;
  events(events: object[]): Promise<request.Response>;
  products(products: object[]): Promise<request.Response>;
  reopen(): void;
  close(): Promise<void>;
}

async function createFixture(triggersYaml: string, start = Date.parse('2026-11-22T10:00:00Z')): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-triggers-'));
  const file = path.join(dir, 'opentime.db');
  const catalog = parseTriggersConfig(triggersYaml, 'test-triggers.yaml');
  const clock = { now: start };
  const sink = new DedupingSink();
  const issued = generateApiKey('crm', ['events:write', 'subscribers:write', 'products:write', 'triggers:read', 'triggers:write']);
  const logger = createLogger('silent');
  const build = (storage: SqliteStorage): OpentimeApp =>
    createApp({
      storage,
      blocks: loadBlocksConfig(DEMO_BLOCKS_FILE),
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger,
      now: () => new Date(clock.now),
      publicUrl: 'https://opentime.test',
      api: { keys: new ApiKeyring([issued.record]), triggers: new TriggerIntake(storage.triggerJobs, catalog, storage, () => clock.now) },
    });
  const fixture: Fixture = {
    dir,
    storage: openSqliteStorage(file),
    app: undefined as unknown as OpentimeApp,
    clock,
    sink,
    catalog,
    key: issued.key,
    worker: (jobs, concurrency, onSettled) =>
      new TriggerWorker({
        jobs: jobs ?? fixture.storage.triggerJobs,
        catalogue: fixture.storage.catalogue,
        catalog,
        transport: sink,
        keyring: testKeyring,
        tokenAudience: AUDIENCE,
        publicUrl: 'https://opentime.test',
        globalSenders: [SENDER],
        logger,
        clock: () => clock.now,
        batchSize: 7,
        concurrency,
        onSettled,
      }),
    events: (events) =>
      request(fixture.app).post('/api/v1/events').set('Authorization', `Bearer ${issued.key}`).set('Content-Type', 'application/json').send(JSON.stringify({ events })),
    products: (products) =>
      request(fixture.app).post('/api/v1/products').set('Authorization', `Bearer ${issued.key}`).set('Content-Type', 'application/json').send(JSON.stringify({ products })),
    reopen() {
      fixture.storage = openSqliteStorage(file);
      fixture.app = build(fixture.storage);
    },
    async close() {
      await fixture.storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await seedDemoDataIfEmpty(fixture.storage, { baseUrl: 'https://opentime.test', now: new Date(start) });
  fixture.app = build(fixture.storage);
  return fixture;
}

const at = (ms: number): string => new Date(ms).toISOString();
const cartAdd = (id: string, subscriberId: string, productId: string, when: number) => ({ id, type: 'added_to_cart', subscriberId, productId, occurredAt: at(when) });
const purchase = (id: string, subscriberId: string, productIds: string[], when: number) => ({ id, type: 'purchased', subscriberId, productIds, occurredAt: at(when) });

async function setTimeZone(fixture: Fixture, subscriberId: string, timeZone: string): Promise<void> {
  const response = await request(fixture.app)
    .post('/api/v1/subscribers')
    .set('Authorization', `Bearer ${fixture.key}`)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify({ subscribers: [{ id: subscriberId, timeZone, updatedAt: at(fixture.clock.now) }] }));
  expect(response.status).toBe(200);
}

describe('cart abandonment', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture(CART_TRIGGER);
  });
  afterEach(() => fixture.close());

  test('fires once, 30 minutes after the event, as a complete email for that subscriber', async () => {
    const t0 = fixture.clock.now;
    expect((await fixture.events([cartAdd('e1', 'sub-emma', 'peacoat-navy', t0)])).status).toBe(200);
    // The same delivery again, and a second add of the same product: still one pending send.
    await fixture.events([cartAdd('e1', 'sub-emma', 'peacoat-navy', t0)]);
    fixture.clock.now = t0 + MINUTE;
    await fixture.events([cartAdd('e2', 'sub-emma', 'peacoat-navy', t0 + MINUTE)]);
    const worker = fixture.worker();

    fixture.clock.now = t0 + 29 * MINUTE;
    expect(await worker.runOnce()).toBe(0);
    fixture.clock.now = t0 + 30 * MINUTE;
    expect(await worker.runOnce()).toBe(1);
    fixture.clock.now = t0 + 90 * MINUTE;
    expect(await worker.runOnce()).toBe(0);

    expect(fixture.sink.deliveries).toHaveLength(1);
    const sent = fixture.sink.deliveries[0]!;
    expect(sent).toMatchObject({ idempotencyKey: 'cart-abandonment:e1', to: 'sub-emma@shop.example', campaignId: 'flash-sale', subscriberId: 'sub-emma' });
    const raw = sent.message.toString('utf8');
    expect(raw).toMatch(/^X-Opentime-Idempotency-Key: cart-abandonment:e1\r?$/m);
    expect(raw).toMatch(/^Message-ID: <[A-Za-z0-9_-]+@shop\.example>\r?$/m);
    expect(raw).toMatch(/^To: sub-emma@shop\.example\r?$/m);
    // Its live blocks carry Emma's token for the campaign, so they render for her at open.
    const token = decodeURIComponent(/[?&]t=([^"&\s]+)/.exec(raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='))![1]!);
    expect(verifySubscriberToken(testKeyring, token, { audience: AUDIENCE, now: new Date(fixture.clock.now) })).toMatchObject({ subscriberId: 'sub-emma', campaignId: 'flash-sale' });

    const sentJobs = await request(fixture.app).get('/api/v1/triggers/jobs?state=sent').set('Authorization', `Bearer ${fixture.key}`);
    expect(sentJobs.body.jobs).toEqual([expect.objectContaining({ id: 'cart-abandonment:e1', state: 'sent', settledAt: at(t0 + 30 * MINUTE), outcome: '202 Accepted' })]);
    // Kept 30 days (the day's cap reads only today's), then deleted by the hourly retention of any worker.
    fixture.clock.now = t0 + 30 * MINUTE + 30 * 24 * 60 * MINUTE + 1;
    await worker.runOnce();
    expect(await fixture.storage.triggerJobs.get('cart-abandonment:e1')).toBeUndefined();
  });

  test('is not sent at all when the purchase arrives before the delay ends', async () => {
    const t0 = fixture.clock.now;
    await fixture.events([cartAdd('e1', 'sub-emma', 'peacoat-navy', t0), cartAdd('e2', 'sub-lena', 'peacoat-navy', t0)]);
    fixture.clock.now = t0 + 10 * MINUTE;
    // Emma buys it; Lena buys something else, so hers still goes out.
    await fixture.events([purchase('p1', 'sub-emma', ['peacoat-navy'], t0 + 10 * MINUTE), purchase('p2', 'sub-lena', ['suede-chelsea-boots'], t0 + 10 * MINUTE)]);
    fixture.clock.now = t0 + 31 * MINUTE;
    expect(await fixture.worker().runOnce()).toBe(1);
    expect(fixture.sink.deliveries.map((message) => message.subscriberId)).toEqual(['sub-lena']);
    const cancelled = await request(fixture.app).get('/api/v1/triggers/jobs?state=cancelled').set('Authorization', `Bearer ${fixture.key}`);
    expect(cancelled.body.jobs).toEqual([expect.objectContaining({ id: 'cart-abandonment:e1', outcome: 'purchased (event p1)' })]);
  });

  test('old events replayed (or a send a day overdue) are dropped as too late, not sent', async () => {
    const t0 = fixture.clock.now;
    await fixture.events([cartAdd('old', 'sub-emma', 'peacoat-navy', t0 - 3 * 24 * 60 * MINUTE), cartAdd('new', 'sub-lena', 'peacoat-navy', t0 - 40 * MINUTE)]);
    expect(await fixture.worker().runOnce()).toBe(1);
    expect(fixture.sink.deliveries.map((message) => message.subscriberId)).toEqual(['sub-lena']);
    expect(await fixture.storage.triggerJobs.get('cart-abandonment:old')).toMatchObject({ state: 'suppressed', outcome: expect.stringMatching(/^too late: due 2026-11-19T10:30:00\.000Z/) });
  });

  test('a product removed from the cart by a later-delivered event is not reminded of', async () => {
    const t0 = fixture.clock.now;
    // The removal happened first at the source but arrives as its own batch; then the add's replay with an older time is stale.
    await fixture.events([cartAdd('e1', 'sub-emma', 'peacoat-navy', t0)]);
    await fixture.events([{ id: 'r1', type: 'removed_from_cart', subscriberId: 'sub-emma', productId: 'peacoat-navy', occurredAt: at(t0 + MINUTE) }]);
    fixture.clock.now = t0 + 40 * MINUTE;
    expect(await fixture.worker().runOnce()).toBe(0);
    expect(fixture.sink.deliveries).toEqual([]);
  });

  test('an anonymous shopper linked by identify gets the reminder as the subscriber; an unlinked one gets none', async () => {
    const t0 = fixture.clock.now;
    const anonymousAdd = (id: string, anonymousId: string, when: number) => ({ id, type: 'added_to_cart', anonymousId, productId: 'peacoat-navy', occurredAt: at(when) });
    await fixture.events([{ id: 'login-1', type: 'identify', anonymousId: 'cookie-emma', subscriberId: 'sub-emma', occurredAt: at(t0 - MINUTE) }]);
    expect((await fixture.events([anonymousAdd('w1', 'cookie-emma', t0), anonymousAdd('w2', 'cookie-nobody', t0)])).status).toBe(200);
    fixture.clock.now = t0 + 30 * MINUTE;
    expect(await fixture.worker().runOnce()).toBe(1);
    expect(fixture.sink.deliveries).toEqual([expect.objectContaining({ subscriberId: 'sub-emma', to: 'sub-emma@shop.example', idempotencyKey: 'cart-abandonment:w1' })]);
    // A purchase under the same cookie cancels it like the subscriber's own would.
    fixture.clock.now = t0 + 40 * MINUTE;
    await fixture.events([anonymousAdd('w3', 'cookie-emma', t0 + 40 * MINUTE)]);
    await fixture.events([{ id: 'w4', type: 'purchased', anonymousId: 'cookie-emma', productIds: ['peacoat-navy'], occurredAt: at(t0 + 45 * MINUTE) }]);
    fixture.clock.now = t0 + 80 * MINUTE;
    expect(await fixture.worker().runOnce()).toBe(0);
    expect(await fixture.storage.triggerJobs.get('cart-abandonment:w3')).toMatchObject({ state: 'cancelled', outcome: 'purchased (event w4)' });
  });
});

const CATALOGUE_TRIGGERS = `
delivery:
  recipient: "{subscriberId}@shop.example"
triggers:
  - id: back-in-stock
    when: back_in_stock
    cancelWhen: [purchased]
    delay: 0s
    campaign: flash-sale
    template: flash-sale
  - id: price-drop
    when: price_drop
    minDropPercent: 5
    viewedWithin: 7d
    delay: 10m
    campaign: flash-sale
    template: flash-sale
`;

describe('what counts as a price drop', () => {
  const coat: Product = {
    id: 'coat', name: 'Coat', url: 'https://shop.example/coat', image: 'https://shop.example/coat.png', category: 'coats', stock: 3, popularity: 1,
    markets: [], updatedAt: '2026-11-01T00:00:00.000Z', currency: 'EUR', price: 100, salePrice: null, prices: { USD: { price: 110, salePrice: null } },
  };
  test('the sale price, else the price, in the own currency or any of the price list', () => {
    expect(priceDropped(coat, { ...coat, salePrice: 95 }, 5)).toBe(true);
    expect(priceDropped(coat, { ...coat, salePrice: 96 }, 5)).toBe(false);
    expect(priceDropped(coat, { ...coat, price: 99 }, 1)).toBe(true);
    expect(priceDropped(coat, { ...coat, prices: { USD: { price: 110, salePrice: 99 } } }, 5)).toBe(true);
    // A sale ending is a rise; a currency added to the list compares nothing.
    expect(priceDropped({ ...coat, salePrice: 80 }, coat, 1)).toBe(false);
    expect(priceDropped(coat, { ...coat, prices: { ...coat.prices, GBP: { price: 1, salePrice: null } } }, 1)).toBe(false);
  });
});

describe('catalogue triggers: back in stock and price drop', () => {
  let fixture: Fixture;
  const DAY = 24 * 60 * MINUTE;
  beforeEach(async () => {
    fixture = await createFixture(CATALOGUE_TRIGGERS);
  });
  afterEach(() => fixture.close());

  const patch = async (product: object, when: number) => {
    const response = await fixture.products([{ id: 'peacoat-navy', ...product, updatedAt: at(when) }]);
    expect(response.status).toBe(200);
  };
  const pendingJobs = async () =>
    (await request(fixture.app).get('/api/v1/triggers/jobs?state=pending').set('Authorization', `Bearer ${fixture.key}`)).body.jobs.map(
      (job: { triggerId: string; subscriberId: string; productId: string }) => `${job.triggerId} ${job.subscriberId} ${job.productId}`,
    );

  test('a restock sends exactly one message to the reader waiting on notify-me; the same restock again sends none', async () => {
    const t0 = fixture.clock.now;
    await patch({ stock: 0 }, t0);
    await fixture.storage.notifyRequests.request({ subscriberId: 'sub-emma', productId: 'peacoat-navy', campaignId: 'flash-sale', requestedAt: t0 + MINUTE });
    fixture.clock.now = t0 + 2 * MINUTE;
    await patch({ stock: 12 }, t0 + 2 * MINUTE);
    // Replayed, and a later stock change while in stock: no further job.
    await patch({ stock: 12 }, t0 + 2 * MINUTE);
    fixture.clock.now = t0 + 3 * MINUTE;
    await patch({ stock: 9 }, t0 + 3 * MINUTE);
    expect(await pendingJobs()).toEqual(['back-in-stock sub-emma peacoat-navy']);

    const worker = fixture.worker();
    expect(await worker.runOnce()).toBe(1);
    fixture.clock.now = t0 + DAY;
    expect(await worker.runOnce()).toBe(0);
    expect(fixture.sink.deliveries).toEqual([expect.objectContaining({ subscriberId: 'sub-emma', campaignId: 'flash-sale', idempotencyKey: `back-in-stock:back_in_stock:peacoat-navy:sub-emma:${t0 + MINUTE}` })]);
  });

  test('a price drop queues a send for who viewed the product this week, not for others; a price rise queues nothing', async () => {
    const t0 = fixture.clock.now;
    const view = (id: string, subscriberId: string, when: number) => ({ id, type: 'product_viewed', subscriberId, productId: 'peacoat-navy', occurredAt: at(when) });
    await fixture.events([view('v1', 'sub-emma', t0 - DAY), view('v2', 'sub-lena', t0 - 8 * DAY)]);
    const { price } = (await fixture.storage.catalogue.getProduct('peacoat-navy'))!;

    await patch({ price: Math.round(price * 1.2 * 100) / 100 }, t0);
    expect(await pendingJobs()).toEqual([]);
    // Down 4 % from there: under minDropPercent.
    await patch({ price: Math.round(price * 1.2 * 0.96 * 100) / 100 }, t0 + 1);
    expect(await pendingJobs()).toEqual([]);
    await patch({ price }, t0 + 2);
    expect(await pendingJobs()).toEqual(['price-drop sub-emma peacoat-navy']);
    // A second drop while Emma's send is pending: still one (dedupe by subscriber and product).
    await patch({ price: Math.round(price * 0.8 * 100) / 100 }, t0 + 3);
    expect(await pendingJobs()).toEqual(['price-drop sub-emma peacoat-navy']);

    fixture.clock.now = t0 + 10 * MINUTE;
    expect(await fixture.worker().runOnce()).toBe(1);
    expect(fixture.sink.deliveries.map((message) => message.subscriberId)).toEqual(['sub-emma']);
  });
});

describe('quiet hours and frequency caps in the subscriber\u2019s time zone', () => {
  let fixture: Fixture;
  afterEach(() => fixture.close());

  test('a send due at 21:30 in Berlin waits until 08:00 there; New York, 15:30 then, gets it at once', async () => {
    // 20:30 UTC in winter: 21:30 in Berlin, 15:30 in New York.
    fixture = await createFixture(
      CART_TRIGGER.replace('frequencyCapPerDay: 0', 'frequencyCapPerDay: 0\n    quietHours: { start: "21:00", end: "08:00" }').replace('delay: 30m', 'delay: 1m'),
      Date.parse('2026-11-22T20:29:00Z'),
    );
    await setTimeZone(fixture, 'sub-lena', 'Europe/Berlin');
    await setTimeZone(fixture, 'sub-emma', 'America/New_York');
    const t0 = fixture.clock.now;
    await fixture.events([cartAdd('b1', 'sub-lena', 'peacoat-navy', t0), cartAdd('n1', 'sub-emma', 'peacoat-navy', t0)]);
    const worker = fixture.worker();
    fixture.clock.now = t0 + MINUTE; // 20:30 UTC
    expect(await worker.runOnce()).toBe(1);
    expect(fixture.sink.deliveries.map((message) => message.subscriberId)).toEqual(['sub-emma']);
    const pending = await fixture.storage.triggerJobs.get('cart-abandonment:b1');
    expect(pending).toMatchObject({ state: 'pending', runAt: Date.parse('2026-11-23T07:00:00Z'), attempts: 0 });
    fixture.clock.now = Date.parse('2026-11-23T06:59:00Z');
    expect(await worker.runOnce()).toBe(0);
    fixture.clock.now = Date.parse('2026-11-23T07:00:00Z'); // 08:00 in Berlin
    expect(await worker.runOnce()).toBe(1);
    expect(fixture.sink.deliveries.map((message) => message.subscriberId)).toEqual(['sub-emma', 'sub-lena']);
  });

  test('one send a day counts calendar days where the subscriber lives: Tokyo gets a second after its midnight, UTC does not', async () => {
    fixture = await createFixture(CART_TRIGGER.replace('frequencyCapPerDay: 0', 'frequencyCapPerDay: 1'), Date.parse('2026-11-22T13:30:00Z'));
    await setTimeZone(fixture, 'sub-yui', 'Asia/Tokyo');
    await setTimeZone(fixture, 'sub-noah', 'UTC');
    const worker = fixture.worker();
    // 14:00 UTC is 23:00 in Tokyo; 15:30 UTC is 00:30 the next day there, still the same day in UTC.
    const first = Date.parse('2026-11-22T13:30:00Z');
    await fixture.events([cartAdd('y1', 'sub-yui', 'peacoat-navy', first), cartAdd('u1', 'sub-noah', 'peacoat-navy', first)]);
    fixture.clock.now = first + 30 * MINUTE;
    expect(await worker.runOnce()).toBe(2);
    const second = Date.parse('2026-11-22T15:00:00Z');
    fixture.clock.now = second;
    await fixture.events([cartAdd('y2', 'sub-yui', 'suede-chelsea-boots', second), cartAdd('u2', 'sub-noah', 'suede-chelsea-boots', second)]);
    fixture.clock.now = second + 30 * MINUTE;
    expect(await worker.runOnce()).toBe(1);
    expect(fixture.sink.deliveries.map((message) => message.idempotencyKey)).toEqual(['cart-abandonment:u1', 'cart-abandonment:y1', 'cart-abandonment:y2']);
    expect(await fixture.storage.triggerJobs.get('cart-abandonment:u2')).toMatchObject({ state: 'suppressed', outcome: 'frequency cap: 1 sent today in UTC' });
  });
  test('jobs of one subscriber due together are sent one after another, so the cap holds with several in flight', async () => {
    fixture = await createFixture(CART_TRIGGER.replace('frequencyCapPerDay: 0', 'frequencyCapPerDay: 1'));
    const t0 = fixture.clock.now;
    await fixture.events(['peacoat-navy', 'suede-chelsea-boots', 'merino-crew-navy'].flatMap((productId) => [cartAdd(`e-${productId}`, 'sub-emma', productId, t0), cartAdd(`l-${productId}`, 'sub-lena', productId, t0)]));
    fixture.clock.now = t0 + 30 * MINUTE;
    expect(await fixture.worker(undefined, 4).runOnce()).toBe(2);
    expect(fixture.sink.deliveries.map((message) => message.subscriberId).sort()).toEqual(['sub-emma', 'sub-lena']);
    expect(await fixture.storage.triggerJobs.list('suppressed', 10)).toHaveLength(4);
  });
});

describe('restarts and failures', () => {
  let fixture: Fixture;
  afterEach(() => fixture.close());

  test('a process killed mid-run loses nothing, and a sink that deduplicates by idempotency key gets each message once', async () => {
    fixture = await createFixture(CART_TRIGGER.replace('requireInCart: true', 'requireInCart: false').replace('cancelWhen: [purchased, removed_from_cart]', 'dedupeBy: event'));
    const t0 = fixture.clock.now;
    const subscribers = ['sub-emma', 'sub-lena', 'sub-yui', 'sub-noah', 'sub-oliver'];
    const products = ['peacoat-navy', 'suede-chelsea-boots', 'merino-crew-navy', 'quilted-jacket-olive'];
    const events = subscribers.flatMap((subscriberId) => products.map((productId) => cartAdd(`${subscriberId}-${productId}`, subscriberId, productId, t0)));
    await fixture.events(events);
    fixture.clock.now = t0 + 30 * MINUTE;
    // The process dies right after its 9th message was accepted, before it could record that (one lane: nothing else in flight).
    let settled = 0;
    const dying: TriggerJobStore = Object.create(fixture.storage.triggerJobs, {
      settle: {
        value: async (...args: Parameters<TriggerJobStore['settle']>) => {
          if (++settled === 9) throw new Error('killed');
          return fixture.storage.triggerJobs.settle(...args);
        },
      },
      failed: {
        value: async () => {
          throw new Error('killed');
        },
      },
    });
    await expect(fixture.worker(dying, 1).runOnce()).rejects.toThrow('killed');
    expect(fixture.sink.deliveries).toHaveLength(9);
    await fixture.storage.close();

    // Restart on the same database file, after the dead process's lease ran out.
    fixture.reopen();
    fixture.clock.now += 6 * MINUTE;
    await fixture.worker().runOnce();
    expect(fixture.sink.kept.size).toBe(20);
    expect(fixture.sink.deliveries).toHaveLength(21); // the 9th twice, with the same idempotency key
    expect(new Set(fixture.sink.deliveries.map((message) => message.idempotencyKey)).size).toBe(20);
    expect(await fixture.storage.triggerJobs.list('pending', 100)).toEqual([]);
    expect(await fixture.storage.triggerJobs.list('sent', 100)).toHaveLength(20);
  });

  test('a transport that keeps failing ends in the dead letters, and a retry from the API sends it', async () => {
    fixture = await createFixture(CART_TRIGGER.replace('  recipient: "{subscriberId}@shop.example"', '  recipient: "{subscriberId}@shop.example"\n  maxAttempts: 3'));
    const t0 = fixture.clock.now;
    await fixture.events([cartAdd('e1', 'sub-emma', 'peacoat-navy', t0)]);
    let down = true;
    const send = fixture.sink.send.bind(fixture.sink);
    fixture.sink.send = async (message) => {
      if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
      return send(message);
    };
    const worker = fixture.worker();
    fixture.clock.now = t0 + 30 * MINUTE;
    await worker.runOnce();
    expect(await fixture.storage.triggerJobs.get('cart-abandonment:e1')).toMatchObject({ state: 'pending', attempts: 1, runAt: fixture.clock.now + 30_000 });
    fixture.clock.now += 30_000;
    await worker.runOnce();
    fixture.clock.now += 60_000;
    await worker.runOnce();
    const dead = await request(fixture.app).get('/api/v1/triggers/dead-letters').set('Authorization', `Bearer ${fixture.key}`);
    expect(dead.status).toBe(200);
    expect(dead.body.deadLetters).toEqual([expect.objectContaining({ id: 'cart-abandonment:e1', attempts: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:25' })]);
    fixture.clock.now += 3_600_000;
    expect(await worker.runOnce()).toBe(0);

    down = false;
    const retry = await request(fixture.app).post('/api/v1/triggers/dead-letters/cart-abandonment:e1/retry').set('Authorization', `Bearer ${fixture.key}`);
    expect(retry.status).toBe(200);
    expect(await worker.runOnce()).toBe(1);
    const again = await request(fixture.app).post('/api/v1/triggers/dead-letters/cart-abandonment:e1/retry').set('Authorization', `Bearer ${fixture.key}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('dead_letter_not_found');
  });
});

describe('metrics', () => {
  test('GET /metrics counts what the worker did with each job, by trigger and outcome', async () => {
    const fixture = await createFixture(CART_TRIGGER.replace('frequencyCapPerDay: 0', 'frequencyCapPerDay: 1'));
    try {
      const registry = new Registry();
      const t0 = fixture.clock.now;
      await fixture.events([cartAdd('e1', 'sub-emma', 'peacoat-navy', t0), cartAdd('e2', 'sub-emma', 'merino-crew-navy', t0)]);
      fixture.clock.now = t0 + 30 * MINUTE;
      await fixture.worker(undefined, undefined, triggerSendsCounter(registry)).runOnce();
      const text = await registry.metrics();
      expect(text).toContain('opentime_triggered_sends_total{trigger="cart-abandonment",outcome="sent"} 1');
      expect(text).toContain('opentime_triggered_sends_total{trigger="cart-abandonment",outcome="suppressed"} 1');
    } finally {
      await fixture.close();
    }
  });
});

describe('the triggers API', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture(CART_TRIGGER);
  });
  afterEach(() => fixture.close());

  test('needs triggers:read, and says which states exist', async () => {
    const withoutScope = generateApiKey('x', ['events:write']);
    const other = createApp({
      storage: fixture.storage,
      blocks: loadBlocksConfig(DEMO_BLOCKS_FILE),
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger: createLogger('silent'),
      api: { keys: new ApiKeyring([withoutScope.record]) },
    });
    const refused = await request(other).get('/api/v1/triggers/dead-letters').set('Authorization', `Bearer ${withoutScope.key}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('api_scope_missing');
    const bad = await request(fixture.app).get('/api/v1/triggers/jobs?state=queued').set('Authorization', `Bearer ${fixture.key}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'bad_request', detail: 'state: expected one of pending, sent, cancelled, suppressed, dead' });
  });
});

describe('the triggers config', () => {
  test('a mistake names the file, the trigger, the path and what was expected', () => {
    const bad = ['triggers:', '  - id: cart-abandonment', '    when: added_to_card', '    delay: 30 minutes', '    campaign: flash-sale', '    template: flash-sale', '    quietHour: { start: "21:00", end: "08:00" }'].join('\n');
    expect(() => parseTriggersConfig(bad, 'triggers.yaml')).toThrow(
      [
        'triggers.yaml: triggers[0] (id "cart-abandonment").quietHour: unknown field; did you mean "quietHours"?',
        'triggers.yaml: triggers[0] (id "cart-abandonment").when: expected one of: product_viewed, added_to_cart, removed_from_cart, purchased, points_changed, back_in_stock, price_drop; received "added_to_card"; did you mean "added_to_cart"?',
        'triggers.yaml: triggers[0] (id "cart-abandonment").delay: expected a duration such as "30m", "2h", "1d" or "45s"; received "30 minutes"',
      ].join('\n'),
    );
  });

  test('an unknown template, a trigger cancelled by its own event and a repeated id are refused', () => {
    const trigger = (id: string, extra: string) => [`  - id: ${id}`, '    when: added_to_cart', '    delay: 30m', '    campaign: flash-sale', extra].join('\n');
    const text = ['triggers:', trigger('a', '    template: flash-sael'), trigger('b', '    template: flash-sale\n    cancelWhen: [added_to_cart]'), trigger('b', '    template: flash-sale')].join('\n');
    expect(() => parseTriggersConfig(text, 'triggers.yaml')).toThrow(/^triggers\.yaml: triggers\[0\] \(id "a"\)\.template: no template "flash-sael" in .*; expected one of: .*flash-sale/);
    expect(() => parseTriggersConfig(text, 'triggers.yaml')).toThrow('triggers.yaml: triggers[1] (id "b").cancelWhen: "added_to_cart" is the event that starts the trigger; expected other event types');
    expect(() => parseTriggersConfig(text, 'triggers.yaml')).toThrow('triggers.yaml: triggers[2] (id "b"): duplicate trigger id "b". Trigger ids must be unique.');
  });

  test('price-drop options on another trigger are refused', () => {
    expect(() =>
      parseTriggersConfig(CART_TRIGGER.replace('    delay: 30m', '    delay: 30m\n    minDropPercent: 5'), 'triggers.yaml'),
    ).toThrow('triggers.yaml: triggers[0] (id "cart-abandonment").minDropPercent: applies only to when: price_drop; expected it removed, or when: price_drop');
  });

  test('the shipped demo triggers load', () => {
    expect(loadTriggersConfig(path.join(__dirname, '..', 'config', 'triggers.yaml')).triggers.map((trigger) => trigger.id)).toEqual(['cart-abandonment', 'back-in-stock', 'price-drop']);
  });
});
