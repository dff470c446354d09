/**
 * `?layout=narrow` on the image endpoint (README "Phones", render/layout.ts): the phone picture of
 * the same view, 360 CSS px wide with its cards stacked, cached apart from the wide one; anything
 * else asks for the wide picture, and a picture is always answered.
 */
import { PNG } from 'pngjs';
import request from 'supertest';
import { defaultFallbackItem } from '../src/blocks/fallback-item';
import { calloutKind } from '../src/kinds/callout';
import { layoutTheme, NARROW_WIDTH, parseImageLayout } from '../src/render/layout';
import { defaultTheme } from '../src/render/theme';
import { readGif } from './helpers/gif-reader';
import { createImageApp, getBytes, type ImageApp } from './helpers/image-app';
import { createRecordingApp, renderRows, type RecordingApp } from './helpers/recording-app';

let fx: ImageApp;
afterEach(async () => {
  await fx?.close();
});

function size(body: Buffer): { width: number; height: number } {
  const image = PNG.sync.read(body);
  return { width: image.width, height: image.height };
}

describe('GET /img/v1/blocks/:id.png?layout=narrow', () => {
  it('draws the product card stacked, 360 px wide and taller than the wide card, with its own ETag', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    const wide = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${token}`);
    const narrow = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?layout=narrow&t=${token}`);
    expect(narrow.status).toBe(200);
    expect(narrow.headers['content-type']).toBe('image/png');
    expect(narrow.headers['x-opentime-outcome']).toBe('view');
    expect(size(wide.body)).toEqual({ width: 600, height: 300 });
    const narrowSize = size(narrow.body);
    expect(narrowSize.width).toBe(NARROW_WIDTH);
    // Stacked: the picture above the name, price and button.
    expect(narrowSize.height).toBeGreaterThan(300);
    expect(narrow.headers.etag).not.toBe(wide.headers.etag);
    // The same view: the demo product picture is drawn in both.
    expect(fx.draws.map((draw) => draw.view)).toEqual([fx.draws[0]?.view, fx.draws[0]?.view]);

    const sharp = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?layout=narrow&scale=2&t=${token}`);
    expect(size(sharp.body)).toEqual({ width: 2 * NARROW_WIDTH, height: 2 * narrowSize.height });
  });

  it('is cached apart from the wide picture: a second narrow open is a hit, and the wide one is still its own', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${token}`);
    const first = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?layout=narrow&t=${token}`);
    const again = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?layout=narrow&t=${token}`);
    const wideAgain = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${token}`);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(size(wideAgain.body).width).toBe(600);
    expect(fx.draws).toHaveLength(2);
  });

  it.each(['sideways', 'NARROWER', '', 'wide'])('answers ?layout=%s with the wide picture, like no layout at all', async (layout) => {
    fx = await createImageApp();
    const token = fx.token('sub-emma');
    const plain = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${token}`);
    const odd = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?layout=${encodeURIComponent(layout)}&t=${token}`);
    expect(odd.status).toBe(200);
    expect(odd.headers.etag).toBe(plain.headers.etag);
  });

  it('cuts the narrow picks into the title band and one full-width row per card (?slot=N&layout=narrow)', async () => {
    fx = await createImageApp();
    const token = fx.token('sub-lena');
    const whole = size((await getBytes(fx.app, `/img/v1/blocks/picks.png?layout=narrow&t=${token}`)).body);
    const header = size((await getBytes(fx.app, `/img/v1/blocks/picks.png?slot=header&layout=narrow&t=${token}`)).body);
    const rows = [];
    for (const slot of [0, 1, 2, 3]) rows.push(size((await getBytes(fx.app, `/img/v1/blocks/picks.png?slot=${slot}&layout=narrow&t=${token}`)).body));
    expect(whole.width).toBe(NARROW_WIDTH);
    expect(header.width).toBe(NARROW_WIDTH);
    for (const row of rows) {
      expect(row.width).toBe(NARROW_WIDTH);
      // A card's row holds its 120-px picture.
      expect(row.height).toBeGreaterThanOrEqual(120);
    }
    // The header and the rows tile the picture from top to bottom.
    expect(header.height + rows.reduce((sum, row) => sum + row.height, 0)).toBe(whole.height);
    // A slot past the last card shows nothing.
    expect(size((await getBytes(fx.app, `/img/v1/blocks/picks.png?slot=4&layout=narrow&t=${token}`)).body)).toEqual({ width: 1, height: 1 });
  });

  it('draws the running countdown narrow as a ticking GIF, every frame 360 px wide', async () => {
    fx = await createImageApp();
    const res = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?layout=narrow&t=${fx.token('sub-emma')}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    const gif = readGif(res.body);
    expect(gif.width).toBe(NARROW_WIDTH);
    expect(gif.frames).toHaveLength(60);
    expect(gif.loopCount).toBe(0);
  });
});

describe('fallback pictures on a phone', () => {
  it('draws a held-back block\'s fallback panel narrow, and an unknown block\'s generic panel too', async () => {
    fx = await createImageApp();
    // No token: the generic open, for which the loyalty block holds back to its configured fallback.
    const heldBack = await getBytes(fx.app, '/img/v1/blocks/loyalty-status.png?layout=narrow');
    expect(heldBack.headers['x-opentime-outcome']).toBe('fallback');
    expect(size(heldBack.body).width).toBe(NARROW_WIDTH);
    const unknown = await getBytes(fx.app, '/img/v1/blocks/no-such-block.png?layout=narrow');
    expect(unknown.headers['x-opentime-outcome']).toBe('unknown_block');
    expect(size(unknown.body).width).toBe(NARROW_WIDTH);
    expect(size((await getBytes(fx.app, '/img/v1/blocks/no-such-block.png')).body).width).toBe(600);
  });
});

describe('the render log', () => {
  let recording: RecordingApp | undefined;
  afterEach(async () => {
    await recording?.close();
  });

  it('counts an open once when the HTML part fetches the narrow picture beside the wide one', async () => {
    recording = await createRecordingApp({ blocksYaml: 'blocks:\n  - { id: hero, kind: product, productId: quilted-jacket-olive, defaultUrl: "https://shop.example/sale" }\n' });
    const token = recording.token('sub-emma');
    expect((await request(recording.app).get(`/img/v1/blocks/hero.png?t=${token}`)).status).toBe(200);
    expect((await request(recording.app).get(`/img/v1/blocks/hero.png?layout=narrow&t=${token}`)).status).toBe(200);
    await recording.flush();
    expect(renderRows(recording).map((row) => [row.block_id, row.surface])).toEqual([['hero', 'image']]);
  });
});

describe('parseImageLayout and layoutTheme', () => {
  it('reads only "narrow" (any case, spaces around) as the phone picture', () => {
    expect(['narrow', ' Narrow ', 'NARROW'].map(parseImageLayout)).toEqual(['narrow', 'narrow', 'narrow']);
    expect(['wide', 'narrower', '', undefined, null].map(parseImageLayout)).toEqual(['wide', 'wide', 'wide', 'wide', 'wide']);
  });

  it('narrows a kind that has a narrow drawing, and a fallback panel as tall as its text', () => {
    const theme = defaultTheme(calloutKind.theme);
    expect(layoutTheme(defaultFallbackItem('https://shop.example/'), theme, 'narrow')).toMatchObject({ layout: 'narrow', width: NARROW_WIDTH });
    const view = calloutKind.samples[0].view;
    const narrow = layoutTheme(view, theme, 'narrow');
    expect(narrow).toMatchObject({ layout: 'narrow', width: NARROW_WIDTH });
    // Made once per block theme and height, so the render cache digests it once.
    expect(layoutTheme(view, theme, 'narrow')).toBe(narrow);
    expect(layoutTheme(view, theme, 'wide')).toBe(theme);
  });
});
