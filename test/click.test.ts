import request from 'supertest';
import { slotUrls } from '../src/blocks/slots';
import { blockKinds } from '../src/kinds/registry';
import { ImpressionLog } from '../src/recording/impression-log';
import type { Impression, ImpressionStore } from '../src/storage/ports/impressions';
import { createImageApp, getBytes, NOW, type ImageApp } from './helpers/image-app';

let fx: ImageApp;
afterEach(async () => {
  await fx?.close();
});

async function render(file: string, token: string): Promise<void> {
  const res = await getBytes(fx.app, `/img/v1/blocks/${file}?t=${token}`);
  expect(res.status).toBe(200);
}

async function click(blockId: string, slot: number | string, token?: string): Promise<request.Response> {
  const res = await request(fx.app).get(`/c/v1/blocks/${blockId}/${slot}${token === undefined ? '' : `?t=${token}`}`);
  expect(res.status).toBe(302);
  expect(res.headers['cache-control']).toBe('private, no-store');
  return res;
}

/** What the JSON path shows the same subscriber at the same moment. */
async function jsonProducts(blockId: string, token: string): Promise<{ url: string }[]> {
  const res = await request(fx.app).get(`/amp/v1/blocks/${blockId}?t=${token}`).set('AMP-Email-Sender', 'news@shop.example');
  expect(res.status).toBe(200);
  const item = res.body.items[0];
  return item.products ?? [item.product];
}

describe('GET /c/v1/blocks/:blockId/:slot', () => {
  it('redirects each slot to the product the picture showed there', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    await render('picks.png', token);
    await fx.impressions.flush();
    const shown = await jsonProducts('picks', token);
    expect(shown).toHaveLength(4);
    for (const [slot, product] of shown.entries()) {
      expect((await click('picks', slot, token)).headers.location).toBe(product.url);
    }
    expect(new Set(shown.map((product) => product.url)).size).toBe(4);
  });

  it('sends a click on a swapped product to the product that was swapped in', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-oliver');
    await render('parka-product.png', token);
    await fx.impressions.flush();
    const location = (await click('parka-product', 0, token)).headers.location;
    expect(location).not.toBe('https://shop.example/products/down-parka-black');
    expect(location).toBe((await jsonProducts('parka-product', token))[0]?.url);
  });

  it('with no image render (text part, images off), opens what the picture would show in that slot, and records it', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    const location = (await click('picks', 2, token)).headers.location;
    const shown = await jsonProducts('picks', token);
    expect(location).not.toBe('https://shop.example/new');
    expect(location).toBe(shown[2]?.url);
    // Recorded as the impression: the reader's next click agrees with this one, whatever the data does meanwhile.
    expect((await fx.impressions.latest('sub-emma', 'flash-sale', 'picks'))?.urls).toEqual(shown.map((product) => product.url));
    const firstId = (shown[0]?.url as string).split('/').pop() as string;
    const first = (await fx.storage.catalogue.getProduct(firstId))!;
    await fx.storage.ingestion.upsertProducts([{ ...first, stock: 0 }]);
    expect((await jsonProducts('picks', token))[0]?.url).not.toBe(shown[0]?.url);
    expect((await click('picks', 0, token)).headers.location).toBe(shown[0]?.url);
    // Another subscriber is resolved for themselves.
    const oliver = fx.token('sub-oliver');
    expect((await click('picks', 1, oliver)).headers.location).toBe((await jsonProducts('picks', oliver))[1]?.url);
  });

  it('goes to the block default URL when the slot is empty or the token fails', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    await render('picks.png', token);
    await fx.impressions.flush();
    expect((await click('picks', 0, token)).headers.location).toMatch(/^https:\/\/shop\.example\/products\//);
    expect((await click('picks', 7, token)).headers.location).toBe('https://shop.example/new'); // only 4 picks were shown
    expect((await click('picks', 99, token)).headers.location).toBe('https://shop.example/new');
    expect((await click('picks', 'x', token)).headers.location).toBe('https://shop.example/new');
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect((await click('picks', 0, tampered)).headers.location).toBe('https://shop.example/new');
    expect((await click('picks', 0)).headers.location).toBe('https://shop.example/new');
    const expired = fx.token('sub-emma', 'flash-sale', { now: new Date(NOW.getTime() - 40 * 86_400_000) });
    expect((await click('picks', 0, expired)).headers.location).toBe('https://shop.example/new');
  });

  it('follows the latest render, and sees it before the write-behind flush', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    await render('picks.png', token);
    await fx.impressions.flush();
    const before = (await click('picks', 0, token)).headers.location as string;
    // The first pick sells out: the next open shows something else in slot 0.
    const id = before.split('/').pop() as string;
    const product = (await fx.storage.catalogue.getProduct(id))!;
    await fx.storage.ingestion.upsertProducts([{ ...product, stock: 0 }]);
    await render('picks.png', token);
    expect(fx.impressions.stats().queued).toBe(1);
    const after = (await click('picks', 0, token)).headers.location;
    expect(after).not.toBe(before);
    expect(after).toBe((await jsonProducts('picks', token))[0]?.url);
  });

  it('links countdown and loyalty slot 0 to their call to action', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-lena');
    await render('flash-countdown.gif', token);
    await render('loyalty-status.png', token);
    expect((await fx.impressions.latest('sub-lena', 'flash-sale', 'flash-countdown'))?.urls).toEqual(['https://shop.example/sale']);
    expect((await fx.impressions.latest('sub-lena', 'flash-sale', 'loyalty-status'))?.urls).toEqual(['https://shop.example/rewards']);
    expect((await click('flash-countdown', 0, token)).headers.location).toBe('https://shop.example/sale');
    expect((await click('loyalty-status', 0, token)).headers.location).toBe('https://shop.example/rewards');
  });

  it('never redirects to a URL that is not absolute http(s), even one from the catalogue', async () => {
    fx = await createImageApp();
    const product = (await fx.storage.catalogue.getProduct('quilted-jacket-olive'))!;
    await fx.storage.ingestion.upsertProducts([{ ...product, url: 'javascript:alert(document.cookie)' }]);
    const token = fx.token('sub-emma');
    await render('hero-product.png', token);
    await fx.impressions.flush();
    expect((await click('hero-product', 0, token)).headers.location).toBe('https://shop.example/sale');
  });

  it('sends a click on an unknown block to the site, never to a dead end', async () => {
    fx = await createImageApp();
    expect((await click('retired-block', 0, fx.token('sub-emma'))).headers.location).toBe('https://shop.example/');
    await fx.close();
    fx = await createImageApp({ siteUrl: 'https://www.shop.example/home' });
    expect((await click('retired-block', 0)).headers.location).toBe('https://www.shop.example/home');
    // Mangled links: no slot, or extra segments.
    const noSlot = await request(fx.app).get('/c/v1/blocks/picks');
    expect([noSlot.status, noSlot.headers.location]).toEqual([302, 'https://shop.example/new']);
    const extra = await request(fx.app).get('/c/v1/blocks/retired-block/0/x');
    expect([extra.status, extra.headers.location]).toEqual([302, 'https://www.shop.example/home']);
  });

  it('does not record anything for a render without a valid token', async () => {
    fx = await createImageApp();
    await render('picks.png', 'not-a-token');
    expect(fx.impressions.stats()).toMatchObject({ queued: 0, written: 0 });
  });
});

describe('slotUrls', () => {
  it('maps each kind to the links its picture shows', () => {
    const sample = <Name extends keyof typeof blockKinds>(name: Name) => blockKinds[name].samples[0].view;
    const cta = (url: string) => ({ label: 'Go', url });
    const product = sample('product');
    const picks = sample('recommendations');
    const [first, second] = picks.products;
    if (!first || !second) throw new Error('the recommendations sample has fewer than two cards');
    expect(slotUrls({ ...product, product: { ...product.product, url: 'p' } })).toEqual(['p']);
    expect(slotUrls({ ...picks, products: [{ ...first, url: 'a' }, { ...second, url: 'b' }] })).toEqual(['a', 'b']);
    expect(slotUrls({ ...sample('countdown'), cta: cta('c') })).toEqual(['c']);
    expect(slotUrls({ ...sample('loyalty'), cta: cta('l') })).toEqual(['l']);
    expect(slotUrls({ kind: 'fallback', cta: cta('f') })).toEqual(['f']);
    expect(slotUrls({ kind: 'fallback' })).toEqual([]);
  });
});

describe('ImpressionLog', () => {
  const impression = (n: number, over: Partial<Impression> = {}): Impression => ({
    subscriberId: `sub-${n}`,
    campaignId: 'c',
    blockId: 'b',
    urls: [`https://shop.example/${n}`],
    renderedAt: new Date(NOW.getTime() + n).toISOString(),
    ...over,
  });

  /** Flush timers the test fires itself: nothing here waits on the wall clock, so a loaded machine cannot change the outcome. */
  function manualTimers() {
    const scheduled: { fire: () => void; delayMs: number; live: boolean }[] = [];
    return {
      start: (callback: () => void, delayMs: number) => {
        const timer = { fire: callback, delayMs, live: true };
        scheduled.push(timer);
        return () => {
          timer.live = false;
        };
      },
      /** The delays of the timers still waiting. */
      pending: () => scheduled.filter((timer) => timer.live).map((timer) => timer.delayMs),
      /** Fires every waiting timer, as if its delay had passed. */
      fire() {
        for (const timer of scheduled.filter((candidate) => candidate.live)) {
          timer.live = false;
          timer.fire();
        }
      },
    };
  }

  /** Lets every promise already started settle (the store below never waits on I/O). */
  const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  function recordingStore(): ImpressionStore & { batches: Impression[][] } {
    const batches: Impression[][] = [];
    const rows = new Map<string, Impression>();
    return {
      batches,
      async record(list: readonly Impression[]) {
        batches.push([...list]);
        for (const i of list) rows.set(i.subscriberId, i);
      },
      async latest(subscriberId: string) {
        return rows.get(subscriberId);
      },
    };
  }

  it('writes in batches of at most batchSize rows, at once when a batch is full', async () => {
    const store = recordingStore();
    const timers = manualTimers();
    const log = new ImpressionLog(store, { batchSize: 3, flushIntervalMs: 60_000, startTimer: timers.start });
    log.record(impression(0));
    log.record(impression(1));
    await settled();
    expect(store.batches).toHaveLength(0);
    expect(timers.pending()).toEqual([60_000]);
    log.record(impression(2));
    // A full batch does not wait for the interval: its flush is due at once.
    expect(timers.pending()).toEqual([0]);
    timers.fire();
    await settled();
    expect(store.batches.map((batch) => batch.length)).toEqual([3]);
    for (let n = 3; n < 7; n++) log.record(impression(n));
    await log.flush();
    expect(store.batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(log.stats()).toMatchObject({ queued: 0, written: 7, dropped: 0 });
    expect(timers.pending()).toEqual([]);
  });

  it('writes on its own after the flush interval, and on close', async () => {
    const store = recordingStore();
    const timers = manualTimers();
    const log = new ImpressionLog(store, { flushIntervalMs: 20, startTimer: timers.start });
    log.record(impression(1));
    expect(timers.pending()).toEqual([20]);
    await settled();
    expect(store.batches).toHaveLength(0);
    timers.fire(); // the 20 ms have passed
    await settled();
    expect(store.batches).toHaveLength(1);
    log.record(impression(2));
    await log.close();
    expect(store.batches).toHaveLength(2);
    expect(timers.pending()).toEqual([]);
    log.record(impression(3)); // after close: ignored
    await log.flush();
    expect(store.batches).toHaveLength(2);
  });

  it('keeps only the newest impression per subscriber, campaign and block', async () => {
    const store = recordingStore();
    const log = new ImpressionLog(store, { flushIntervalMs: 60_000, startTimer: manualTimers().start });
    log.record(impression(5, { subscriberId: 's', urls: ['new'] }));
    log.record(impression(1, { subscriberId: 's', urls: ['old'] }));
    expect((await log.latest('s', 'c', 'b'))?.urls).toEqual(['new']);
    await log.flush();
    expect(store.batches).toEqual([[expect.objectContaining({ urls: ['new'] })]]);
  });

  it('is bounded: the oldest pending impressions are dropped and counted', async () => {
    const store = recordingStore();
    const log = new ImpressionLog(store, { maxQueued: 3, batchSize: 100, flushIntervalMs: 60_000, startTimer: manualTimers().start });
    for (let n = 0; n < 5; n++) log.record(impression(n));
    expect(log.stats()).toMatchObject({ queued: 3, dropped: 2 });
    await log.flush();
    expect(store.batches[0]?.map((i) => i.subscriberId)).toEqual(['sub-2', 'sub-3', 'sub-4']);
  });

  it('logs and counts a failed batch without throwing', async () => {
    const errors: unknown[] = [];
    const log = new ImpressionLog(
      { record: () => Promise.reject(new Error('disk full')), latest: async () => undefined },
      { flushIntervalMs: 60_000, startTimer: manualTimers().start, logger: { warn: () => undefined, error: (fields: unknown) => errors.push(fields) } as never },
    );
    log.record(impression(1));
    await expect(log.flush()).resolves.toBeUndefined();
    expect(log.stats()).toMatchObject({ failedBatches: 1, dropped: 1, queued: 0 });
    expect(errors).toHaveLength(1);
  });
});
