import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createApp } from '../src/app';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import type { ProductView } from '../src/kinds/product';
import type { Product } from '../src/data/model';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { ConfigError, loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { drawBlock } from '../src/render/draw-block';
import { openWaitBudget } from '../src/sources/open-wait-budget';
import { openCatalogueFromConfig } from '../src/sources/pull-source-from-config';
import { PullSource, type PullSourceOptions } from '../src/sources/pull-source';
import { overlay, productIdMatcher, PulledCatalogue } from '../src/sources/pulled-catalogue';
import { withCatalogueCache } from '../src/storage/cache/with-catalogue-cache';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../src/storage/storage';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { AUDIENCE, DEMO_BLOCKS_FILE, FIXED_NOW, SENDER, testKeyring } from './helpers/app-fixture';
import { ManualClock } from './helpers/manual-clock';

/**
 * A fake retailer API on loopback (127.0.0.1 only). Each product answers as
 * its `behaviour` says: figures, an error, not found, nothing until the test
 * answers the held requests, or a body far larger than any stock answer.
 * Tests wait on what it receives (`requested`), never on the wall clock.
 */
type Behaviour =
  | { kind: 'ok'; figures: Record<string, unknown> }
  | { kind: 'fail'; status: number }
  | { kind: 'missing' }
  | { kind: 'held' }
  /** A JSON object padded to `bytes` (300 MB by default), streamed as the client reads; `declareLength` sends Content-Length. */
  | { kind: 'huge'; bytes?: number; declareLength?: boolean };

interface FakeSource {
  url: string;
  host: string;
  calls: string[];
  set(productId: string, behaviour: Behaviour): void;
  /** Resolves once `count` requests have arrived in all. */
  requested(count: number): Promise<void>;
  /** Answers every held request with these figures. */
  answerHeld(figures: Record<string, unknown>): void;
  /** Bytes of huge bodies written so far, and a promise for when the last one stopped (the client hung up, or all was sent). */
  huge: { bytesWritten: number; finished: Promise<void> };
  close(): Promise<void>;
}

const HUGE_DEFAULT_BYTES = 300 * 1024 * 1024;

async function startFakeSource(fallback: Behaviour = { kind: 'missing' }): Promise<FakeSource> {
  const behaviours = new Map<string, Behaviour>();
  const calls: string[] = [];
  const held: http.ServerResponse[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let finishHuge: () => void = () => {};
  const huge = { bytesWritten: 0, finished: Promise.resolve() };

  const streamHuge = (res: http.ServerResponse, total: number, declareLength: boolean): void => {
    huge.finished = new Promise((resolve) => (finishHuge = resolve));
    const head = Buffer.from('{"stock": 1, "padding": "');
    const tail = Buffer.from('"}');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(total) } : {}) });
    let remaining = total - head.length - tail.length;
    res.on('close', () => finishHuge());
    const pump = (): void => {
      while (remaining > 0 && !res.destroyed) {
        const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
        remaining -= piece.length;
        huge.bytesWritten += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end(tail);
    };
    huge.bytesWritten += head.length;
    res.write(head);
    pump();
  };

  const server = http.createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace(/^\/stock\//, ''));
    calls.push(id);
    for (const waiter of waiters.filter((entry) => calls.length >= entry.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const behaviour = behaviours.get(id) ?? fallback;
    if (behaviour.kind === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(behaviour.figures));
    else if (behaviour.kind === 'fail') res.writeHead(behaviour.status).end('upstream broke');
    else if (behaviour.kind === 'missing') res.writeHead(404).end();
    else if (behaviour.kind === 'held') held.push(res);
    else streamHuge(res, behaviour.bytes ?? HUGE_DEFAULT_BYTES, behaviour.declareLength === true);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stock/{id}`,
    host: `127.0.0.1:${port}`,
    calls,
    set: (productId, behaviour) => behaviours.set(productId, behaviour),
    requested: (count) => (calls.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    answerHeld: (figures) => {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(figures));
    },
    huge,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Lets every callback that is already due (I/O, promise reactions) run; waits for nothing else. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether `promise` has settled by now, without waiting for it. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await settle();
  return settled;
}

/**
 * Where the pull clock starts: after the catalogue's records (seeded at FIXED_NOW), so pulled figures are the newer.
 * Tests with a source run on fake time from here (`ManualClock.install`: jest's fake timers), which the source's
 * clock and opossum's breaker timers both read; only `clock.advance` moves it.
 */
const PULL_CLOCK_START = FIXED_NOW.getTime() + 60_000;

describe('pull source', () => {
  let fake: FakeSource;
  let clock: ManualClock;
  const sources: PullSource[] = [];
  const source = (options: Partial<PullSourceOptions> = {}) => {
    const made = new PullSource({ urlTemplate: fake.url, clock, ...options });
    sources.push(made);
    return made;
  };
  beforeEach(async () => {
    clock = ManualClock.install(PULL_CLOCK_START);
    fake = await startFakeSource();
  });
  afterEach(async () => {
    sources.splice(0).forEach((made) => made.close());
    await fake.close();
    clock.uninstall();
  });

  test('a live answer, then the short cache: one call for two reads', async () => {
    fake.set('coat 1', { kind: 'ok', figures: { stock: 3, price: 99.5, salePrice: null, warehouse: 'ignored' } });
    const pull = source({ cacheMs: 60_000 });
    const first = await pull.read('coat 1');
    expect(first).toMatchObject({ figures: { stock: 3, price: 99.5, salePrice: null }, freshness: 'live' });
    expect(first?.figures).not.toHaveProperty('warehouse');
    clock.advance(59_999);
    expect(await pull.read('coat 1')).toMatchObject({ figures: { stock: 3 }, freshness: 'cached', ageMs: 59_999 });
    expect(fake.calls).toEqual(['coat 1']);
  });

  test('concurrent reads of one product share one call', async () => {
    fake.set('p', { kind: 'held' });
    const pull = source();
    const reads = Promise.all(Array.from({ length: 10 }, () => pull.read('p')));
    await fake.requested(1);
    fake.answerHeld({ stock: 1 });
    const answers = await reads;
    expect(answers.every((answer) => answer?.figures.stock === 1)).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });

  test('a slow source: the read gives up exactly at the timeout and reports nothing to use', async () => {
    fake.set('p', { kind: 'held' });
    const pull = source({ timeoutMs: 80 });
    const reading = pull.read('p');
    await fake.requested(1);
    clock.advance(79);
    expect(await isSettled(reading)).toBe(false);
    clock.advance(1);
    expect(await reading).toBeUndefined();
    // The call itself was aborted at the same moment, and counted.
    await pull.idle();
    expect(pull.stats()).toMatchObject({ unavailable: 1, failures: 1 });
  });

  test('a failing source: the last good answer is served stale, with its age', async () => {
    fake.set('p', { kind: 'ok', figures: { stock: 7, price: 20 } });
    const pull = source({ cacheMs: 1000, staleMs: 60_000 });
    expect((await pull.read('p'))?.freshness).toBe('live');
    fake.set('p', { kind: 'fail', status: 503 });
    clock.advance(45_000);
    expect(await pull.read('p')).toEqual({ figures: { stock: 7, price: 20 }, fetchedAt: PULL_CLOCK_START, ageMs: 45_000, freshness: 'stale' });
    clock.advance(20_000); // now 65 s old: past staleMs
    expect(await pull.read('p')).toBeUndefined();
    expect(fake.calls).toHaveLength(3);
  });

  test('a source that does not know the product (404) is not a failure', async () => {
    const pull = source();
    expect(await pull.read('unknown')).toBeUndefined();
    expect(pull.stats()).toMatchObject({ failures: 0, breaker: 'closed' });
  });

  test('an answer in the wrong shape counts as a failure', async () => {
    fake.set('p', { kind: 'ok', figures: { stock: 'lots' } });
    const pull = source();
    expect(await pull.read('p')).toBeUndefined();
    expect(pull.stats().failures).toBe(1);
  });

  test('the circuit breaker stops calling a failing source, then tries once after the reset time', async () => {
    fake.set('p', { kind: 'fail', status: 500 });
    const pull = source({ breakerVolumeThreshold: 5, breakerResetMs: 400, cacheMs: 0 });
    for (let i = 0; i < 5; i++) await pull.read('p');
    expect(fake.calls).toHaveLength(5);
    expect(pull.stats().breaker).toBe('open');
    // Open: answered without a call, and without waiting for the timeout (the clock has not moved).
    for (let i = 0; i < 20; i++) await pull.read('p');
    expect(fake.calls).toHaveLength(5);
    expect(pull.stats().rejectedByBreaker).toBe(20);
    clock.advance(399);
    await pull.read('p');
    expect(fake.calls).toHaveLength(5);
    // After the reset time one trial call goes through; the source has recovered, so the breaker closes.
    clock.advance(1);
    expect(pull.stats().breaker).toBe('halfOpen');
    fake.set('p', { kind: 'ok', figures: { stock: 4 } });
    expect((await pull.read('p'))?.figures.stock).toBe(4);
    expect(fake.calls).toHaveLength(6);
    expect(pull.stats().breaker).toBe('closed');
  });

  test('half-open, one trial call at a time; a failed trial opens the breaker for another reset time', async () => {
    fake.set('p', { kind: 'fail', status: 500 });
    const pull = source({ breakerVolumeThreshold: 2, breakerResetMs: 1000, cacheMs: 0 });
    await pull.read('p');
    await pull.read('p');
    expect(pull.stats().breaker).toBe('open');
    clock.advance(1000);
    fake.set('p', { kind: 'held' });
    const trial = pull.read('p');
    await fake.requested(3);
    await pull.read('q'); // another product: refused while the trial runs
    expect(pull.stats()).toMatchObject({ rejectedByBreaker: 1, breaker: 'halfOpen' });
    clock.advance(80); // the trial times out: a failure
    await trial;
    await pull.idle();
    expect(pull.stats().breaker).toBe('open');
    expect(fake.calls).toHaveLength(3);
  });

  test('close stops the breaker\'s timers (its reset timeout, its rolling window): nothing is left to keep a process alive', async () => {
    fake.set('p', { kind: 'fail', status: 500 });
    const pull = source({ breakerVolumeThreshold: 1, cacheMs: 0 });
    await pull.read('p');
    expect(pull.stats().breaker).toBe('open');
    expect(clock.pendingTimers).toBe(2); // opossum's reset timeout and its bucket rotation interval
    pull.close();
    expect(clock.pendingTimers).toBe(0);
  });

  test('a URL template without {id} is refused', () => {
    expect(() => new PullSource({ urlTemplate: 'https://api.shop.example/stock' })).toThrow(/no \{id\} placeholder/);
  });
});

// The timeouts here are far away (and on a clock that does not move): what ends these reads is the size limit.
describe('pull source answers past the size limit', () => {
  let fake: FakeSource;
  let clock: ManualClock;
  let pull: PullSource;
  beforeEach(async () => {
    clock = ManualClock.install(PULL_CLOCK_START);
    fake = await startFakeSource();
  });
  afterEach(async () => {
    pull.close();
    await fake.close();
    clock.uninstall();
  });

  test('a 300 MB streamed answer is cut off at the limit: the last good figures are served at once, and it is a failure', async () => {
    pull = new PullSource({ urlTemplate: fake.url, clock, cacheMs: 1000, timeoutMs: 60_000 });
    fake.set('p', { kind: 'ok', figures: { stock: 7 } });
    expect((await pull.read('p'))?.freshness).toBe('live');
    fake.set('p', { kind: 'huge' });
    clock.advance(1000);
    // Answered without the clock moving: the read did not sit out its timeout, the size limit ended it.
    expect(await pull.read('p')).toEqual({ figures: { stock: 7 }, fetchedAt: PULL_CLOCK_START, ageMs: 1000, freshness: 'stale' });
    expect(pull.stats()).toMatchObject({ live: 1, stale: 1, failures: 1 });
    // The connection was dropped: the source stopped far short of its 300 MB (what it wrote sits in socket buffers at most).
    await fake.huge.finished;
    expect(fake.huge.bytesWritten).toBeLessThan(32 * 1024 * 1024);
  });

  test('a declared Content-Length over the limit is refused before the body is read', async () => {
    pull = new PullSource({ urlTemplate: fake.url, clock, timeoutMs: 60_000 });
    fake.set('p', { kind: 'huge', declareLength: true });
    expect(await pull.read('p')).toBeUndefined();
    expect(pull.stats()).toMatchObject({ unavailable: 1, failures: 1 });
    await fake.huge.finished;
    expect(fake.huge.bytesWritten).toBeLessThan(32 * 1024 * 1024);
  });

  test('the limit is the configured number of bytes: at it an answer is read, one byte over it is not', async () => {
    pull = new PullSource({ urlTemplate: fake.url, clock, cacheMs: 0, maxAnswerBytes: 2048 });
    fake.set('at', { kind: 'huge', bytes: 2048 });
    fake.set('over', { kind: 'huge', bytes: 2049 });
    expect((await pull.read('at'))?.figures).toEqual({ stock: 1 });
    expect(await pull.read('over')).toBeUndefined();
    expect(pull.stats().failures).toBe(1);
  });

  test('oversize answers open the breaker like any other failure', async () => {
    pull = new PullSource({ urlTemplate: fake.url, clock, cacheMs: 0, breakerVolumeThreshold: 3, maxAnswerBytes: 4096 });
    fake.set('p', { kind: 'huge', bytes: 1024 * 1024 });
    for (let i = 0; i < 3; i++) await pull.read('p');
    expect(pull.stats()).toMatchObject({ failures: 3, breaker: 'open' });
    await pull.read('p');
    expect(fake.calls).toHaveLength(3);
  });
});

describe('pulled catalogue: live figures laid over the catalogue', () => {
  const catalogued: Product = {
    id: 'p',
    name: 'Parka',
    url: 'https://shop.example/p',
    image: 'https://shop.example/p.png',
    category: 'coats',
    price: 300,
    salePrice: null,
    currency: 'EUR',
    prices: {},
    markets: [],
    stock: 5,
    popularity: 1,
    updatedAt: '2026-11-22T10:00:00.000Z',
  };
  const pulledAt = (iso: string, figures = { stock: 1, price: 250 }) => ({ figures, fetchedAt: Date.parse(iso), ageMs: 0, freshness: 'stale' as const });

  test('the newer of the two wins: a pulled answer, or a catalogue record pushed after it', () => {
    expect(overlay(catalogued, pulledAt('2026-11-22T10:00:05Z'))).toEqual({ ...catalogued, stock: 1, price: 250, updatedAt: '2026-11-22T10:00:05.000Z' });
    expect(overlay(catalogued, pulledAt('2026-11-22T09:59:00Z'))).toBe(catalogued);
    expect(overlay(catalogued, undefined)).toBe(catalogued);
  });

  test('product id patterns choose what the source covers', () => {
    const covers = productIdMatcher(['coat-*', 'sku.1']);
    expect(['coat-olive', 'coat-', 'sku.1'].map(covers)).toEqual([true, true, true]);
    expect(['a-coat-olive', 'skux1', 'sku.10'].map(covers)).toEqual([false, false, false]);
    expect(productIdMatcher([])('anything')).toBe(true);
  });
});

describe('opens with a pull source', () => {
  let fake: FakeSource;
  let clock: ManualClock;
  let pull: PullSource;
  let storage: Storage;

  async function appWith(options: Partial<PullSourceOptions> = {}, covered = ['quilted-*', 'down-parka-*']) {
    storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: 60_000 });
    await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
    pull = new PullSource({ urlTemplate: fake.url, clock, ...options });
    const drawn: ProductView[] = [];
    const app = createApp({
      storage,
      openCatalogue: new PulledCatalogue(storage.catalogue, pull, productIdMatcher(covered)),
      blocks: loadBlocksConfig(DEMO_BLOCKS_FILE),
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger: createLogger('silent', new Writable({ write: (_c, _e, callback) => callback() })),
      now: () => FIXED_NOW,
      publicUrl: 'https://opentime.test',
      perOpenPullBudget: true,
      pullSource: pull,
      drawBlock: (view, theme, drawOptions) => {
        drawn.push(view as ProductView);
        return drawBlock(view, theme, drawOptions);
      },
    });
    const token = signSubscriberToken(testKeyring, { subscriberId: 'sub-emma', campaignId: 'flash-sale' }, { audience: AUDIENCE, now: FIXED_NOW });
    return {
      json: (block = 'hero-product') => request(app).get(`/amp/v1/blocks/${block}?t=${token}`).set('AMP-Email-Sender', SENDER),
      metrics: async () => (await request(app).get('/metrics')).text,
      image: (block = 'hero-product') => request(app).get(`/img/v1/blocks/${block}.png?t=${token}`),
      drawn,
    };
  }

  beforeEach(async () => {
    clock = ManualClock.install(PULL_CLOCK_START);
    fake = await startFakeSource();
  });
  afterEach(async () => {
    pull.close();
    await storage.close();
    await fake.close();
    clock.uninstall();
  });

  test('the block shows the source\'s live stock and price, in the JSON and in the image', async () => {
    // Emma shops in USD: the source's price list gives her price.
    fake.set('quilted-jacket-olive', { kind: 'ok', figures: { stock: 2, salePrice: 89, prices: { USD: { price: 175, salePrice: 98 } } } });
    const open = await appWith();
    const product = (await open.json()).body.items[0].product;
    expect(product).toMatchObject({ price: '$98.00', originalPrice: '$175.00', stockState: 'low_stock', badge: { text: 'Only 2 left' } });
    expect((await open.image()).status).toBe(200);
    expect(open.drawn.at(-1)?.product).toMatchObject({ price: '$98.00', badge: { text: 'Only 2 left' } });
    // The catalogue itself is unchanged: the API reads back what was pushed, not what was pulled.
    expect((await storage.catalogue.getProduct('quilted-jacket-olive'))?.stock).toBe(22);
  });

  test('a slow source: the open answers at the timeout with the catalogue\'s figures', async () => {
    fake.set('quilted-jacket-olive', { kind: 'held' });
    const open = await appWith({ timeoutMs: 80 });
    const answer = open.json().then((response) => response);
    await fake.requested(1);
    clock.advance(79);
    expect(await isSettled(answer)).toBe(false);
    clock.advance(1);
    expect((await answer).body.items[0].product.price).toBe('$131.00');
    expect(fake.calls).toEqual(['quilted-jacket-olive']);
  });

  test('a source answering 300 MB: the open shows the last good figures without waiting, and the failure is on /metrics', async () => {
    fake.set('quilted-jacket-olive', { kind: 'ok', figures: { stock: 3 } });
    // A timeout far away, on a clock that does not move: only the size limit can end this open early.
    const open = await appWith({ cacheMs: 0, timeoutMs: 60_000 });
    expect((await open.json()).body.items[0].product.badge.text).toBe('Only 3 left');
    fake.set('quilted-jacket-olive', { kind: 'huge' });
    // The clock does not move: the open is answered because the answer was cut off at the limit, not at the timeout.
    expect((await open.json()).body.items[0].product.badge.text).toBe('Only 3 left');
    expect(pull.stats()).toMatchObject({ live: 1, stale: 1, failures: 1 });
    const metrics = await open.metrics();
    expect(metrics).toContain(`opentime_pull_source_failures_total{source="${fake.host}"} 1`);
    expect(metrics).toContain(`opentime_pull_source_reads_total{source="${fake.host}",result="stale"} 1`);
    await fake.huge.finished;
    expect(fake.huge.bytesWritten).toBeLessThan(32 * 1024 * 1024);
  });

  test('a failing source after a good answer: the open shows the last good figures', async () => {
    fake.set('quilted-jacket-olive', { kind: 'ok', figures: { stock: 3 } });
    const open = await appWith({ cacheMs: 0 });
    expect((await open.json()).body.items[0].product.badge.text).toBe('Only 3 left');
    fake.set('quilted-jacket-olive', { kind: 'fail', status: 502 });
    expect((await open.json()).body.items[0].product.badge.text).toBe('Only 3 left');
    expect(pull.stats()).toMatchObject({ live: 1, stale: 1 });
    // The same counts on GET /metrics, labelled with the source's host (never its path).
    const metrics = await open.metrics();
    const source = new URL(fake.url.replace('{id}', 'x')).host;
    expect(metrics).toContain(`opentime_pull_source_reads_total{source="${source}",result="live"} 1`);
    expect(metrics).toContain(`opentime_pull_source_reads_total{source="${source}",result="stale"} 1`);
    expect(metrics).toContain(`opentime_pull_source_failures_total{source="${source}"} 1`);
    expect(metrics).toContain(`opentime_pull_source_breaker_state{source="${source}",state="closed"} 1`);
  });

  test('a product the source does not cover is never asked for', async () => {
    fake.set('running-shoe-grey', { kind: 'ok', figures: { salePrice: 42 } });
    const open = await appWith({}, ['running-*']);
    const shown = (await open.json('picks')).body.items[0].products as { id: string; price: string }[];
    expect(shown.map((product) => product.id)).toEqual(['running-shoe-grey', 'leather-sneaker-white', 'rolltop-backpack-navy', 'round-sunglasses-tortoise']);
    expect(shown[0]?.price).toBe('$42.00');
    expect(new Set(fake.calls)).toEqual(new Set(['running-shoe-grey']));
  });
});

describe('one wait budget per open', () => {
  let fake: FakeSource;
  let clock: ManualClock;
  let pull: PullSource;
  let storage: Storage;
  beforeEach(async () => {
    clock = ManualClock.install(PULL_CLOCK_START);
    fake = await startFakeSource({ kind: 'held' });
    storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: 60_000 });
    await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
    pull = new PullSource({ urlTemplate: fake.url, clock, timeoutMs: 150, breakerVolumeThreshold: 1000 });
  });
  afterEach(async () => {
    pull.close();
    await storage.close();
    await fake.close();
    clock.uninstall();
  });

  /** Two reads one after another, as a sold-out product block does (the product, then its alternative). */
  const twoReads = (store: PulledCatalogue) => async () => {
    await store.getProduct('down-parka-black');
    await store.bestSellersInCategory('knitwear', 2);
  };

  /** How long `run` took on the pull source's clock. */
  const onClock = async (run: () => Promise<void>): Promise<number> => {
    const started = clock.now();
    await run();
    return clock.now() - started;
  };

  test('inside a request, the second read only gets what is left of the first one\'s timeout', async () => {
    const store = new PulledCatalogue(storage.catalogue, pull);
    const app = express();
    app.use(openWaitBudget());
    app.get('/open', async (_req, res) => {
      res.json({ ms: await onClock(twoReads(store)) });
    });
    const inside = request(app).get('/open').then((response) => response.body.ms as number);
    await fake.requested(1);
    clock.advance(150);
    // One timeout's worth of waiting answered the whole open: the second read had nothing left to wait.
    expect(await inside).toBe(150);

    // Outside a request each read waits its own timeout.
    const outside = onClock(twoReads(store));
    clock.advance(150);
    expect(await isSettled(outside)).toBe(false);
    clock.advance(150);
    expect(await outside).toBe(300);
  });
});

describe('pull source configuration', () => {
  test('defaults: 80 ms timeout, 1 s cache, 10 min stale, every product, breaker resets after 10 s, answers up to 64 KiB', async () => {
    const config = loadConfig({ OPENTIME_PULL_URL: 'https://api.shop.example/stock/{id}' }, '/tmp');
    expect(config).toMatchObject({ pullTimeoutMs: 80, pullCacheMs: 1000, pullStaleMs: 600_000, pullProducts: [], pullBreakerResetMs: 10_000, pullMaxBytes: 65_536 });
    const database = openSqliteStorage(':memory:');
    const pulled = openCatalogueFromConfig(loadConfig({ OPENTIME_PULL_URL: 'http://127.0.0.1:9/{id}', OPENTIME_PULL_MAX_BYTES: '4096' }, '/tmp'), database.catalogue);
    expect(pulled.pullSource?.maxAnswerBytes).toBe(4096);
    pulled.pullSource?.close();
    await database.close();
  });

  test.each(['https://api.shop.example/stock', 'ftp://api.shop.example/{id}', 'not a url {id}'])('a bad template %j is a ConfigError saying what is expected', (template) => {
    expect(() => loadConfig({ OPENTIME_PULL_URL: template }, '/tmp')).toThrow(ConfigError);
    expect(() => loadConfig({ OPENTIME_PULL_URL: template }, '/tmp')).toThrow(/expected an http\(s\) URL template containing \{id\}/);
  });

  test('without a pull URL opens read the catalogue itself; with one, through the overlay', async () => {
    const database = openSqliteStorage(':memory:');
    const catalogue = database.catalogue;
    const plain = openCatalogueFromConfig(loadConfig({}, '/tmp'), catalogue);
    expect(plain.openCatalogue).toBe(catalogue);
    expect(plain.pullSource).toBeUndefined();
    const pulled = openCatalogueFromConfig(loadConfig({ OPENTIME_PULL_URL: 'http://127.0.0.1:9/{id}', OPENTIME_PULL_PRODUCTS: 'coat-*' }, '/tmp'), catalogue);
    expect(pulled.openCatalogue).toBeInstanceOf(PulledCatalogue);
    pulled.pullSource?.close();
    await database.close();
  });
});
