/**
 * Popular renderings re-encoded as palette PNGs in the background: the
 * optimizer (real libimagequant), the queue that paces it, the render cache
 * that swaps the bytes, and what a client of the image endpoint sees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strongEtag } from '../src/http/cache-policy';
import { BackgroundQueue } from '../src/render/background-queue';
import { encodePng } from '../src/render/encode';
import { paletteOptimizer, paletteReencoding } from '../src/render/png-palette-optimizer';
import { RenderCache, type RenderedImage } from '../src/render/render-cache';
import { createImageApp, getBytes, type ImageApp } from './helpers/image-app';
import { startPixelmatch, type Pixelmatcher } from './helpers/render-fixtures';

const GOLDEN = path.join(__dirname, 'golden');
/** One card of each kind, Latin, Arabic and Japanese text among them. */
const CARDS = ['product-sale-ja-JP', 'recommendations-ar-EG', 'countdown-running-en-US', 'loyalty-top-tier-de-DE', 'product-image-failed-en-US'];
/** The goldens' own tolerance (test/render.test.ts): threshold 0.1, at most 0.5 % of pixels. */
const THRESHOLD = 0.1;
const MAX_DIFFERENT_SHARE = 0.005;

let pixelmatch: Pixelmatcher;
beforeAll(() => {
  pixelmatch = startPixelmatch();
});
afterAll(async () => {
  await pixelmatch.close();
});

const pngSize = (png: Buffer): { width: number; height: number; colorType: number } => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25] as number });

describe('paletteOptimizer (libimagequant)', () => {
  test.each(CARDS)('%s: a palette PNG of at most 60 %% of the bytes, the same picture within the golden tolerance', async (name) => {
    const original = fs.readFileSync(path.join(GOLDEN, `${name}.png`));
    const smaller = await paletteOptimizer()(original);
    expect(smaller).not.toBeNull();
    const optimized = smaller as Buffer;
    expect(optimized.length).toBeLessThanOrEqual(original.length * 0.6);
    const before = pngSize(original);
    const after = pngSize(optimized);
    expect(after).toEqual({ width: before.width, height: before.height, colorType: 3 }); // 3: indexed colour
    const { different } = await pixelmatch.compare(original, optimized, THRESHOLD);
    expect(different).toBeLessThanOrEqual(before.width * before.height * MAX_DIFFERENT_SHARE);
  });

  test('keeps the truecolour (null) for a picture 256 colours cannot hold at quality 85', async () => {
    // Deterministic noise (xorshift32): every pixel a different colour.
    const width = 160;
    const height = 160;
    const data = new Uint8Array(width * height * 4);
    let state = 2463534242;
    for (let i = 0; i < data.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      data[i] = i % 4 === 3 ? 255 : state & 0xff;
    }
    const noise = await encodePng({ data, width, height }, { budgetBytes: Number.MAX_SAFE_INTEGER });
    expect(await paletteOptimizer()(noise)).toBeNull();
  });

  test('paletteReencoding gives PNGs a new strong ETag on the new bytes and leaves GIFs alone', async () => {
    const png = fs.readFileSync(path.join(GOLDEN, 'loyalty-mid-tier-en-US.png'));
    const reencode = paletteReencoding();
    const result = await reencode({ bytes: png, contentType: 'image/png', etag: strongEtag(png) });
    expect(result).not.toBeNull();
    expect(result?.contentType).toBe('image/png');
    expect(result?.etag).toBe(strongEtag((result as RenderedImage).bytes));
    expect(result?.etag).not.toBe(strongEtag(png));
    const gif = Buffer.from('GIF89a');
    expect(await reencode({ bytes: gif, contentType: 'image/gif', etag: strongEtag(gif) })).toBeNull();
  });
});

describe('BackgroundQueue', () => {
  test('runs one job at a time and rests after each as long as it took', async () => {
    const clock = { ms: 1_000 };
    const rests: Array<{ ms: number; fire: () => void }> = [];
    const queue = new BackgroundQueue({
      restRatio: 1,
      now: () => clock.ms,
      startTimer: (fire, ms) => {
        rests.push({ ms, fire });
        return () => {};
      },
    });
    const ran: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const job = (length: number) => async (): Promise<void> => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      clock.ms += length; // the job takes `length` ms of the queue's clock
      ran.push(length);
      running--;
    };
    for (const length of [40, 70, 10]) expect(queue.add(job(length))).toBe(true);
    expect(queue.stats().queued).toBe(3);
    const idle = queue.idle();
    // Each job is followed by a rest as long as it took, and the next starts only when that rest ends.
    for (const [index, length] of [40, 70, 10].entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(ran).toHaveLength(index + 1);
      expect(rests).toHaveLength(index + 1);
      expect(rests[index]?.ms).toBe(length);
      rests[index]?.fire();
    }
    await idle;
    expect(mostAtOnce).toBe(1);
    expect(queue.stats()).toEqual({ queued: 0, done: 3, dropped: 0 });
  });


  test('drops (and counts) what does not fit, and goes on after a failing job', async () => {
    const errors: unknown[] = [];
    const queue = new BackgroundQueue({ maxQueued: 2, restRatio: 0, onError: (error) => errors.push(error) });
    const ran: string[] = [];
    expect(queue.add(async () => void ran.push('a'))).toBe(true); // starts at once
    expect(queue.add(async () => Promise.reject(new Error('encoder broke')))).toBe(true);
    expect(queue.add(async () => void ran.push('c'))).toBe(true);
    expect(queue.add(async () => void ran.push('d'))).toBe(false);
    await queue.idle();
    expect(ran).toEqual(['a', 'c']);
    expect(errors).toEqual([new Error('encoder broke')]);
    expect(queue.stats()).toEqual({ queued: 0, done: 3, dropped: 1 });
  });
});

describe('RenderCache re-encoding', () => {
  const original: RenderedImage = { bytes: Buffer.from('first encoding, longer'), contentType: 'image/png', etag: '"first"' };
  const better: RenderedImage = { bytes: Buffer.from('smaller'), contentType: 'image/png', etag: '"better"' };

  test('swaps in the smaller bytes after `afterHits` hits, and only then', async () => {
    const queue = new BackgroundQueue({ restRatio: 0 });
    const run = jest.fn(async () => better);
    const cache = new RenderCache({ optimize: { afterHits: 2, run, queue } });
    await cache.getOrRender('card', async () => original);
    expect(cache.cached('card')).toBe(original);
    await queue.idle();
    expect(run).not.toHaveBeenCalled();
    expect(cache.cached('card')).toBe(original); // the second hit queues it; this open is not held up
    await queue.idle();
    expect(run).toHaveBeenCalledTimes(1);
    expect(cache.cached('card')).toBe(better);
    expect(cache.stats()).toMatchObject({ optimized: 1, entries: 1 });
    cache.cached('card');
    await queue.idle();
    expect(run).toHaveBeenCalledTimes(1); // once per rendering
  });

  test('keeps the rendering\'s time to live: a re-encoded entry expires when the original would have', async () => {
    const queue = new BackgroundQueue({ restRatio: 0 });
    const clock = { ms: 1_000 };
    const cache = new RenderCache({ optimize: { afterHits: 1, minTimeLeftMs: 0, run: async () => better, queue }, clock: () => clock.ms });
    await cache.getOrRender('ticking', async () => original, { ttlMs: 300 });
    clock.ms += 150;
    cache.cached('ticking');
    await queue.idle();
    expect(cache.cached('ticking')).toBe(better);
    clock.ms += 149;
    expect(cache.cached('ticking')).toBe(better);
    clock.ms += 2;
    expect(cache.cached('ticking')).toBeUndefined();
  });

  test('leaves renderings that expire soon alone (a running countdown is kept for 2 s)', async () => {
    const queue = new BackgroundQueue({ restRatio: 0 });
    const run = jest.fn(async () => better);
    const cache = new RenderCache({ optimize: { afterHits: 1, run, queue } });
    await cache.getOrRender('countdown frame', async () => original, { ttlMs: 2_000 });
    await cache.getOrRender('product card', async () => original);
    cache.cached('countdown frame');
    cache.cached('product card');
    await queue.idle();
    expect(run).toHaveBeenCalledTimes(1);
    expect(cache.cached('countdown frame')).toBe(original);
    expect(cache.cached('product card')).toBe(better);
  });

  test('drops the result when the rendering was replaced or evicted meanwhile, and keeps it on null', async () => {
    const queue = new BackgroundQueue({ restRatio: 0 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cache = new RenderCache({
      optimize: {
        afterHits: 1,
        run: async (image) => {
          await gate;
          return image === original ? better : null;
        },
        queue,
      },
    });
    await cache.getOrRender('card', async () => original);
    cache.cached('card'); // queued, waiting at the gate
    cache.clear();
    const redrawn: RenderedImage = { bytes: Buffer.from('drawn again'), contentType: 'image/png', etag: '"again"' };
    await cache.getOrRender('card', async () => redrawn);
    release();
    await queue.idle();
    expect(cache.cached('card')).toBe(redrawn);
    await queue.idle();
    expect(cache.cached('card')).toBe(redrawn); // the optimizer said null for it: kept as drawn
    expect(cache.stats().optimized).toBe(0);
  });
});

describe('the image endpoint with re-encoding on', () => {
  let fx: ImageApp;
  afterEach(async () => {
    await fx.close();
  });

  async function optimizedCount(): Promise<number> {
    const metrics = await getBytes(fx.app, '/metrics');
    const match = /^opentime_image_optimized_total (\d+)$/m.exec(metrics.body.toString('utf8'));
    return Number(match?.[1] ?? 0);
  }

  test('a picture opened again and again gets a smaller palette PNG with a new ETag, and the same look', async () => {
    const queue = new BackgroundQueue();
    fx = await createImageApp({ imageOptimizeAfterHits: 2, imageOptimizerQueue: queue });
    const url = `/img/v1/blocks/picks.png?t=${fx.token('sub-emma')}`;
    const first = await getBytes(fx.app, url);
    await getBytes(fx.app, url);
    const third = await getBytes(fx.app, url);
    expect(third.body.equals(first.body)).toBe(true); // the open that queued it got the bytes it had
    await queue.idle();
    expect(await optimizedCount()).toBe(1);

    const later = await getBytes(fx.app, url);
    expect(later.status).toBe(200);
    expect(later.headers['content-type']).toBe('image/png');
    expect(Number(later.headers['content-length'])).toBe(later.body.length);
    expect(later.body.length).toBeLessThan(first.body.length * 0.6);
    expect(later.headers.etag).not.toBe(first.headers.etag);
    expect(later.headers['cache-control']).toBe(first.headers['cache-control']);
    const { different } = await pixelmatch.compare(first.body, later.body, THRESHOLD);
    expect(different).toBeLessThanOrEqual(600 * 340 * MAX_DIFFERENT_SHARE);
    expect(fx.draws).toHaveLength(1); // re-encoded, not re-drawn

    // A client holding the first bytes gets the new ones; one holding the new ones gets 304.
    expect((await getBytes(fx.app, url, { 'If-None-Match': first.headers.etag as string })).status).toBe(200);
    const revalidated = await getBytes(fx.app, url, { 'If-None-Match': later.headers.etag as string });
    expect(revalidated.status).toBe(304);
  });

  test('the countdown GIF keeps its bytes however often it is opened', async () => {
    const queue = new BackgroundQueue();
    fx = await createImageApp({ imageOptimizeAfterHits: 1, imageOptimizerQueue: queue });
    const url = `/img/v1/blocks/flash-countdown.gif?t=${fx.token('sub-emma')}`;
    const first = await getBytes(fx.app, url);
    for (let i = 0; i < 3; i++) await getBytes(fx.app, url);
    await queue.idle();
    const later = await getBytes(fx.app, url);
    expect(later.body.equals(first.body)).toBe(true);
    expect(await optimizedCount()).toBe(0);
  });
});
