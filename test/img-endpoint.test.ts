import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import request from 'supertest';
import { isViewOf, type ShownView } from '../src/kinds/kind-of-view';
import { strongEtag } from '../src/http/cache-policy';
import { imgBlockEndpoint } from '../src/http/img-block-endpoint';
import { createLogger } from '../src/log';
import { RenderCache } from '../src/render/render-cache';
import { RenderPool } from '../src/render/render-pool';
import { defaultTheme } from '../src/render/theme';
import { drawBlock } from '../src/render/draw-block';
import type { CatalogueReader } from '../src/storage/ports/catalogue-reader';
import { compositeFrames, readGif } from './helpers/gif-reader';
import { createImageApp, getBytes, NOW, type ImageApp } from './helpers/image-app';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PERSONAL = 'private, no-cache, max-age=0, must-revalidate';
const GENERIC = 'public, no-cache, max-age=0, must-revalidate';
const DEGRADED = 'private, no-cache, no-store, max-age=0, must-revalidate';

function png(body: Buffer): PNG {
  expect(body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return PNG.sync.read(body);
}

/** Pixels of a GIF frame and a PNG agree up to palette rounding: fails on any real difference in content. */
function samePicture(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let off = 0;
  let total = 0;
  for (let i = 0; i < a.length; i += 4) {
    const d = Math.max(Math.abs((a[i] as number) - (b[i] as number)), Math.abs((a[i + 1] as number) - (b[i + 1] as number)), Math.abs((a[i + 2] as number) - (b[i + 2] as number)));
    total += d;
    if (d > 32) off++;
  }
  const pixels = a.length / 4;
  return off / pixels < 0.002 && total / pixels < 2;
}

let fx: ImageApp;
afterEach(async () => {
  await fx?.close();
});

describe('GET /img/v1/blocks/:blockId.png', () => {
  it('draws the personalised block as a 600-wide PNG with personal cache headers and a strong ETag', async () => {
    fx = await createImageApp();
    const res = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-length']).toBe(String(res.body.length));
    expect(res.headers['cache-control']).toBe(PERSONAL);
    expect(res.headers.etag).toBe(strongEtag(res.body));
    expect(res.headers['x-opentime-outcome']).toBe('view');
    const image = png(res.body);
    expect([image.width, image.height]).toEqual([600, 300]);
    // Email-friendly: a 600-wide card well under 60 KB.
    expect(res.body.length).toBeLessThan(60_000);
    // The product picture was the demo picture, drawn in-process (not the placeholder).
    const [call] = fx.draws;
    expect(call?.view.kind).toBe('product');
    expect([...(call?.images.values() ?? [])].every((img) => img !== null && img.width === 480)).toBe(true);
  });

  it.each([
    ['hero-product@2x.png', '', [1200, 600]],
    ['hero-product.png', '&scale=2', [1200, 600]],
    // Whole scales only: anything else rounds to 1 or 2, so one view has at most two renderings.
    ['hero-product.png', '&scale=1.5', [1200, 600]],
    ['hero-product.png', '&scale=1.49', [600, 300]],
    ['hero-product.png', '&scale=1.69', [1200, 600]],
    ['hero-product.png', '&scale=9', [1200, 600]],
    ['hero-product.png', '&scale=abc', [600, 300]],
    ['flash-countdown@2x.png', '', [1200, 320]],
  ])('%s%s is %j pixels', async (file, query, size) => {
    fx = await createImageApp();
    const res = await getBytes(fx.app, `/img/v1/blocks/${file}?t=${fx.token('sub-emma')}${query}`);
    expect(res.status).toBe(200);
    const image = png(res.body);
    expect([image.width, image.height]).toEqual(size);
  });

  it('draws every block of the demo config', async () => {
    fx = await createImageApp();
    for (const id of fx.blocks.keys()) {
      const res = await getBytes(fx.app, `/img/v1/blocks/${id}.png?t=${fx.token('sub-lena')}`);
      expect(res.status).toBe(200);
      expect(res.headers['x-opentime-outcome']).toBe('view');
      expect(png(res.body).width).toBe(600);
    }
  });

  it('answers a bad, missing or expired token with the generic image, not an error', async () => {
    fx = await createImageApp();
    const personal = await getBytes(fx.app, `/img/v1/blocks/picks.png?t=${fx.token('sub-emma')}`);
    const missing = await getBytes(fx.app, '/img/v1/blocks/picks.png');
    const tampered = await getBytes(fx.app, `/img/v1/blocks/picks.png?t=${fx.token('sub-emma').slice(0, -3)}abc`);
    const old = new Date(NOW.getTime() - 40 * 86_400_000);
    const expired = await getBytes(fx.app, `/img/v1/blocks/picks.png?t=${fx.token('sub-emma', 'flash-sale', { now: old })}`);
    for (const res of [missing, tampered, expired]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toBe(GENERIC);
      expect(png(res.body).width).toBe(600);
      expect(res.body.equals(missing.body)).toBe(true);
    }
    // Generic means not personalised: Emma's picks are another picture.
    expect(personal.body.equals(missing.body)).toBe(false);
    const generic = fx.draws.find((call) => isViewOf(call.view, 'recommendations') && call.view.title === 'Our best-sellers');
    expect(generic).toBeDefined();
    expect(fx.logLines().some((line) => line.includes('image token refused') && line.includes('"reason":"expired"'))).toBe(true);
    expect(fx.logLines().join('\n')).not.toContain(fx.token('sub-emma'));
  });

  it('draws the fallback for a countdown whose generic open has no deadline', async () => {
    fx = await createImageApp();
    const res = await getBytes(fx.app, '/img/v1/blocks/flash-countdown.png?t=nope');
    expect(res.status).toBe(200);
    expect(res.headers['x-opentime-outcome']).toBe('fallback');
    expect(fx.draws.map((call) => call.view.kind)).toEqual(['fallback']);
    expect([png(res.body).width, png(res.body).height]).toEqual([600, 160]);
  });

  it('answers an unknown block with a generic picture and a log line', async () => {
    fx = await createImageApp();
    for (const url of ['/img/v1/blocks/no-such-block.png', '/img/v1/blocks/hero-product.jpg', '/img/v1/blocks/a/b/c', '/img/v1/other']) {
      const res = await getBytes(fx.app, url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toBe(DEGRADED);
      expect(png(res.body).width).toBe(600);
    }
    expect(fx.logLines().some((line) => line.includes('unknown block') && line.includes('no-such-block'))).toBe(true);
  });

  it('draws the fallback when the store fails, for the subscriber lookup or inside the rules', async () => {
    let failing: 'subscriber' | 'product' = 'subscriber';
    fx = await createImageApp({
      wrapCatalogue: (catalogue) =>
        new Proxy(catalogue, {
          get(target, property, receiver) {
            if ((failing === 'subscriber' && property === 'getSubscriber') || (failing === 'product' && property === 'getProduct')) {
              return () => Promise.reject(new Error('database is locked'));
            }
            const value = Reflect.get(target, property, receiver) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }) as CatalogueReader,
    });
    for (const mode of ['subscriber', 'product'] as const) {
      failing = mode;
      const res = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`);
      expect(res.status).toBe(200);
      expect(res.headers['x-opentime-outcome']).toBe('degraded');
      expect(res.headers['cache-control']).toBe(DEGRADED);
      expect([png(res.body).width, png(res.body).height]).toEqual([600, 300]);
    }
    expect(fx.draws.map((call) => call.view.kind)).toEqual(['fallback']); // the second was a render-cache hit
    expect(fx.logLines().filter((line) => line.includes('database is locked')).length).toBe(2);
  });

  it('draws the card with a placeholder when the product image host fails or hangs', async () => {
    const hits: string[] = [];
    const host = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/error.png') res.writeHead(500).end();
      // '/hang.png' never answers
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    try {
      fx = await createImageApp({ imageLoader: { allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true, timeoutMs: 100, fetchTimeoutMs: 500 } });
      for (const file of ['error.png', 'hang.png']) {
        const product = (await fx.storage.catalogue.getProduct('quilted-jacket-olive'))!;
        await fx.storage.ingestion.upsertProducts([{ ...product, image: `${base}/${file}` }]);
        const started = Date.now();
        const res = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(res.status).toBe(200);
        expect(res.headers['x-opentime-outcome']).toBe('view');
        expect(png(res.body).width).toBe(600);
        const call = fx.draws[fx.draws.length - 1];
        expect(call?.images.get(`${base}/${file}`)).toBeNull();
      }
      expect(hits).toEqual(['/error.png', '/hang.png']);
      expect(fx.logLines().some((line) => line.includes('product image not loaded') && line.includes('HTTP 500'))).toBe(true);
    } finally {
      host.closeAllConnections();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });

  it('draws the fallback when drawing the view fails, and a transparent pixel when even that fails', async () => {
    let broken = (view: ShownView): boolean => view.kind === 'product';
    fx = await createImageApp({
      draw: (view, theme, options) => {
        if (broken(view)) throw new Error('canvas exploded');
        return drawBlock(view, theme, options);
      },
    });
    const res = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-opentime-outcome']).toBe('degraded');
    expect([png(res.body).width, png(res.body).height]).toEqual([600, 300]);
    expect(fx.logLines().some((line) => line.includes('image render failed') && line.includes('canvas exploded'))).toBe(true);

    broken = () => true;
    for (const file of ['loyalty-status.png', 'loyalty-status.gif']) {
      const pixel = await getBytes(fx.app, `/img/v1/blocks/${file}?t=${fx.token('sub-emma')}`);
      expect(pixel.status).toBe(200);
      expect(pixel.headers['x-opentime-outcome']).toBe('emergency');
      expect(pixel.headers['content-type']).toBe(file.endsWith('.gif') ? 'image/gif' : 'image/png');
      if (file.endsWith('.png')) expect([png(pixel.body).width, png(pixel.body).height]).toEqual([1, 1]);
      else expect(readGif(pixel.body).width).toBe(1);
    }
  });

  it('answers If-None-Match with 304 and no body while the picture is unchanged', async () => {
    fx = await createImageApp();
    const url = `/img/v1/blocks/loyalty-status.png?t=${fx.token('sub-emma')}`;
    const first = await getBytes(fx.app, url);
    const again = await getBytes(fx.app, url, { 'If-None-Match': first.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['cache-control']).toBe(PERSONAL);
    const stale = await getBytes(fx.app, url, { 'If-None-Match': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(first.body)).toBe(true);
    // A change in the data is a new picture and a new tag.
    const emma = (await fx.storage.catalogue.getSubscriber('sub-emma'))!;
    await fx.storage.ingestion.upsertSubscribers([{ ...emma, loyaltyPoints: emma.loyaltyPoints + 100 }]);
    const changed = await getBytes(fx.app, url, { 'If-None-Match': first.headers.etag as string });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });

  it('?slot=header and ?slot=N cut the picks picture into a title band and card columns that tile it pixel for pixel', async () => {
    fx = await createImageApp();
    const base = `/img/v1/blocks/picks.png?t=${fx.token('sub-emma')}`;
    const whole = png((await getBytes(fx.app, base)).body);
    const headerAnswer = await getBytes(fx.app, `${base}&slot=header`);
    expect(headerAnswer.status).toBe(200);
    expect(headerAnswer.headers['cache-control']).toBe(PERSONAL);
    const header = png(headerAnswer.body);
    const cards: PNG[] = [];
    for (let slot = 0; slot < 4; slot++) cards.push(png((await getBytes(fx.app, `${base}&slot=${slot}`)).body));
    expect(header.width).toBe(whole.width);
    expect(cards.reduce((sum, card) => sum + card.width, 0)).toBe(whole.width);
    expect(header.height + (cards[0] as PNG).height).toBe(whole.height);
    // Every pixel of every part is the pixel at the same place in the whole picture.
    const pixelAt = (image: PNG, x: number, y: number): number => image.data.readUInt32BE((y * image.width + x) * 4);
    const same = (part: PNG, left: number, top: number): boolean => {
      for (let y = 0; y < part.height; y++) for (let x = 0; x < part.width; x++) if (pixelAt(part, x, y) !== pixelAt(whole, left + x, top + y)) return false;
      return true;
    };
    expect(same(header, 0, 0)).toBe(true);
    let left = 0;
    for (const card of cards) {
      expect(same(card, left, header.height)).toBe(true);
      left += card.width;
    }
    // A slot the view does not have, or a value that names no part: a transparent pixel, still 200.
    for (const query of ['&slot=4', '&slot=middle']) {
      const none = await getBytes(fx.app, `${base}${query}`);
      expect(none.status).toBe(200);
      expect([png(none.body).width, png(none.body).height]).toEqual([1, 1]);
    }
  });

  it('a picture without cards is all header: the header part is the whole picture, card parts are empty', async () => {
    fx = await createImageApp();
    const base = `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`;
    const whole = await getBytes(fx.app, base);
    expect((await getBytes(fx.app, `${base}&slot=header`)).body.equals(whole.body)).toBe(true);
    expect(png((await getBytes(fx.app, `${base}&slot=0`)).body).width).toBe(1);
  });

  it('an open that fetches a picture in parts is one render in the metrics, not five', async () => {
    fx = await createImageApp();
    const base = `/img/v1/blocks/picks.png?t=${fx.token('sub-noah')}`;
    for (const query of ['&slot=header', '&slot=0', '&slot=1', '&slot=2', '&slot=3']) await getBytes(fx.app, `${base}${query}`);
    const metrics = (await getBytes(fx.app, '/metrics')).body.toString('utf8');
    const renders = [...metrics.matchAll(/^opentime_renders_total\{block="picks",kind="recommendations",surface="image",[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(renders).toBe(1);
  });

  it('draws the same bytes on a render thread as on the event loop, product pictures, parts and 2x included', async () => {
    const here = await createImageApp();
    fx = await createImageApp({ countDraws: false });
    try {
      for (const file of ['picks.png', 'picks@2x.png', 'hero-product.png', 'loyalty-status.png', 'flash-countdown.gif', 'loyalty-status.gif']) {
        for (const query of ['', '&slot=header', '&slot=2']) {
          if (file.endsWith('.gif') && query) continue;
          const url = `/img/v1/blocks/${file}?t=${fx.token('sub-lena')}${query}`;
          const [threaded, local] = await Promise.all([getBytes(fx.app, url), getBytes(here.app, url)]);
          expect(threaded.headers['x-opentime-outcome']).toBe('view');
          expect(threaded.body.equals(local.body)).toBe(true);
        }
      }
      // The threads drew them: nothing went through this thread's drawBlock.
      expect(fx.draws).toHaveLength(0);
      expect(here.draws.length).toBeGreaterThan(0);
    } finally {
      await here.close();
    }
  });

  it('draws identical views once: across subscribers, and for concurrent opens', async () => {
    fx = await createImageApp();
    // Emma and Noah both read en-US: the same card, the same bytes, one drawing.
    const emma = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`);
    const noah = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-noah')}`);
    expect(noah.body.equals(emma.body)).toBe(true);
    expect(fx.draws).toHaveLength(1);
    // Lena reads de-DE: another view, another drawing.
    await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-lena')}`);
    expect(fx.draws).toHaveLength(2);

    const url = `/img/v1/blocks/picks.png?t=${fx.token('sub-oliver')}`;
    const answers = await Promise.all(Array.from({ length: 25 }, () => getBytes(fx.app, url)));
    expect(answers.every((res) => res.status === 200 && res.body.equals(answers[0]!.body))).toBe(true);
    expect(fx.draws).toHaveLength(3);
  });

  it('keeps a running countdown\'s rendering for two seconds only, a product card\'s for longer', async () => {
    const cacheClock = { ms: 1_000_000 };
    fx = await createImageApp({ renderCacheClock: cacheClock });
    // The clock is fixed, so the views do not change: only the cache's own time limits tell them apart.
    const countdown = `/img/v1/blocks/flash-countdown.png?t=${fx.token('sub-emma')}`;
    const card = `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`;
    await getBytes(fx.app, countdown);
    await getBytes(fx.app, card);
    await getBytes(fx.app, countdown);
    expect(fx.draws).toHaveLength(2);
    cacheClock.ms += 2_100;
    await getBytes(fx.app, card);
    expect(fx.draws).toHaveLength(2);
    // A second later a live countdown shows another second: its frame would never be asked for again.
    await getBytes(fx.app, countdown);
    expect(fx.draws).toHaveLength(3);
  });

  it('never redirects and never answers JSON, even when the renderer itself throws', async () => {
    const endpoint = imgBlockEndpoint({ cache: new RenderCache(), render: () => Promise.reject(new Error('renderer bug')) }, () => undefined);
    const app: RequestListener = (req, res) => {
      req.log = createLogger('silent');
      void endpoint(req, res, 'hero-product.png');
    };
    const res = await getBytes(app, '/img/v1/blocks/hero-product.png?t=x');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(png(res.body).width).toBe(1);
  });
});

describe('GET /img/v1/blocks/:blockId.gif', () => {
  async function gifAt(file: string, token: string) {
    const res = await getBytes(fx.app, `/img/v1/blocks/${file}?t=${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['content-length']).toBe(String(res.body.length));
    return { res, gif: readGif(res.body) };
  }

  async function pngPixels(file: string, token: string, at: Date): Promise<Uint8Array> {
    const saved = fx.clock.now;
    fx.clock.now = at;
    try {
      return new Uint8Array(png((await getBytes(fx.app, `/img/v1/blocks/${file}?t=${token}`)).body).data);
    } finally {
      fx.clock.now = saved;
    }
  }

  it('ticks for a minute: 60 frames a second apart, looping, each the static picture of its second', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    const { res, gif } = await gifAt('flash-countdown.gif', token);
    expect(res.headers['cache-control']).toBe(PERSONAL);
    expect([gif.width, gif.height]).toEqual([600, 160]);
    expect(gif.frames).toHaveLength(60);
    expect(gif.frames.every((frame) => frame.delayMs === 1000)).toBe(true);
    expect(gif.loopCount).toBe(0);
    expect(gif.frames[0]).toMatchObject({ left: 0, top: 0, width: 600, height: 160 });

    const shown = compositeFrames(gif);
    const atNow = await pngPixels('flash-countdown.png', token, NOW);
    const atOneSecond = await pngPixels('flash-countdown.png', token, new Date(NOW.getTime() + 1000));
    const atLast = await pngPixels('flash-countdown.png', token, new Date(NOW.getTime() + 59_000));
    // Frame one is right on its own (Outlook shows only frame one).
    expect(samePicture(shown[0] as Uint8Array, atNow)).toBe(true);
    expect(samePicture(shown[0] as Uint8Array, atOneSecond)).toBe(false);
    expect(samePicture(shown[1] as Uint8Array, atOneSecond)).toBe(true);
    expect(samePicture(shown[59] as Uint8Array, atLast)).toBe(true);
    // The strings come from the view resolved at each second, not from the renderer.
    const texts = fx.draws.slice(0, 3).map((call) => (isViewOf(call.view, 'countdown') ? call.view.text : undefined));
    expect(texts).toEqual(['3 days 00:00:00', '2 days 23:59:59', '2 days 23:59:58']);
  });

  it('is the expired state as one frame for a campaign that has ended', async () => {
    fx = await createImageApp();
    const { gif } = await gifAt('flash-countdown.gif', fx.token('sub-emma', 'spring-sale'));
    expect(gif.frames).toHaveLength(1);
    expect(gif.loopCount).toBeNull();
    const first = fx.draws[0]?.view;
    expect(first && isViewOf(first, 'countdown') ? first.state : undefined).toBe('expired');
  });

  it('stops at the expired frame when the deadline falls inside the minute, and does not loop', async () => {
    fx = await createImageApp();
    const campaign = (await fx.storage.catalogue.getCampaign('flash-sale'))!;
    await fx.storage.campaigns.upsertCampaigns([{ ...campaign, endsAt: new Date(NOW.getTime() + 10_000).toISOString() }]);
    const token = fx.token('sub-emma');
    const { gif } = await gifAt('flash-countdown.gif', token);
    expect(gif.frames).toHaveLength(11);
    expect(gif.loopCount).toBeNull();
    const shown = compositeFrames(gif);
    const expired = await pngPixels('flash-countdown.png', token, new Date(NOW.getTime() + 10_000));
    const running = await pngPixels('flash-countdown.png', token, new Date(NOW.getTime() + 9_000));
    expect(samePicture(shown[10] as Uint8Array, expired)).toBe(true);
    expect(samePicture(shown[9] as Uint8Array, running)).toBe(true);
  });

  it('is a single still frame for blocks that are not countdowns', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    const { gif } = await gifAt('loyalty-status.gif', token);
    expect(gif.frames).toHaveLength(1);
    expect([gif.width, gif.height]).toEqual([600, 200]);
    expect(samePicture(compositeFrames(gif)[0] as Uint8Array, await pngPixels('loyalty-status.png', token, NOW))).toBe(true);
  });

  it('draws a countdown GIF once for every open of the same second, whatever scale between 1 and 2 is asked', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    // Twenty concurrent opens at ?scale=1.50 … 1.69: one rendering at 2x, shared, not twenty.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?t=${token}&scale=${(1.5 + i / 100).toFixed(2)}`)),
    );
    expect(answers.every((res) => res.status === 200 && res.headers['content-type'] === 'image/gif')).toBe(true);
    expect(answers.every((res) => res.body.equals(answers[0]!.body))).toBe(true);
    expect([readGif(answers[0]!.body).width, readGif(answers[0]!.body).height]).toEqual([1200, 320]);
    expect(fx.draws).toHaveLength(60);
    // Two subscribers the store does not know yet read the block's default locale and zone: the same
    // first frame, so the second gets the first one's GIF without its frames being resolved or drawn again.
    const first = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?t=${fx.token('sub-new-1')}`);
    const second = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?t=${fx.token('sub-new-2')}`);
    expect(second.body.equals(first.body)).toBe(true);
    expect(fx.draws).toHaveLength(120);
  });

  it('answers the first frame as a PNG at once, not a queued GIF, while the render threads are full', async () => {
    const pool = new RenderPool({ threads: 1, queueLimit: 0, animationsPerThread: 1 });
    try {
      fx = await createImageApp({ renderPool: pool, countDraws: false });
      // The one thread is busy with a long animation: the bound is reached.
      const busyWork = pool.drawGif({
        views: Array.from({ length: 60 }, (): ShownView => ({ kind: 'fallback', headline: 'Busy', cta: { label: 'Shop', url: 'https://shop.example' } })),
        theme: defaultTheme(),
        scale: 2,
        timing: { delayMs: 1000, loop: true },
      });
      const res = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?t=${fx.token('sub-lena')}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['x-opentime-outcome']).toBe('busy');
      expect(res.headers['cache-control']).toBe(PERSONAL);
      // It is the live view's first frame: the same picture as the PNG of this moment.
      const frame = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.png?t=${fx.token('sub-lena')}`);
      expect(res.body.equals(frame.body)).toBe(true);
      // Refused twice: the GIF, then its first frame, which was therefore drawn on the event loop.
      expect(pool.stats().refused).toBe(2);
      await busyWork;
      // Once the thread is free the GIF is drawn again.
      const later = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?t=${fx.token('sub-lena')}`);
      expect(later.headers['content-type']).toBe('image/gif');
      expect(readGif(later.body).frames).toHaveLength(60);
    } finally {
      await pool.close();
    }
  });

  it('answers a GIF, not a PNG, for an unknown block', async () => {
    fx = await createImageApp();
    const { gif } = await gifAt('no-such-block.gif', 'x');
    expect(gif.width).toBe(600);
  });
});

describe('GET /demo/products/:id.png', () => {
  it('serves the demo catalogue pictures with a long public cache, and 404 for others', async () => {
    fx = await createImageApp();
    const res = await getBytes(fx.app, '/demo/products/leather-tote-cognac.png');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    expect([png(res.body).width, png(res.body).height]).toEqual([480, 480]);
    const cached = await getBytes(fx.app, '/demo/products/leather-tote-cognac.png', { 'If-None-Match': res.headers.etag as string });
    expect(cached.status).toBe(304);
    expect((await request(fx.app).get('/demo/products/not-a-product.png')).status).toBe(404);
    expect((await request(fx.app).get('/demo/products/..%2Fsecret.png')).status).toBe(404);
  });
});
