import { PNG } from 'pngjs';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { isTicking, isViewOf, themeDefaultsOf, type ShownView } from '../src/kinds/kind-of-view';
import { blockKinds } from '../src/kinds/registry';
import { drawBlock } from '../src/render/draw-block';
import { encodeGifAnimation } from '../src/render/gif';
import { renderGif, type GifTiming } from '../src/render/render-worker';
import { defaultTheme, resolveTheme, type Theme } from '../src/render/theme';
import { createFixture, FIXED_NOW, type Fixture } from './helpers/app-fixture';
import { ampGet, viewOf } from './helpers/amp-request';
import { compositeFrames, readGif } from './helpers/gif-reader';
import { createRenderFixture, LOCALE_SUBSCRIBERS, RENDER_NOW, startPixelmatch, type Pixelmatcher, type RenderFixture } from './helpers/render-fixtures';

// The demo flash-sale ends 3 days after FIXED_NOW (2026-11-25T10:00Z); spring-sale ended 2 days before it.
describe('countdown block', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  test('shows the exact time left at the moment of the open, in the subscriber locale', async () => {
    fixture.clock.now = new Date(FIXED_NOW.getTime() + (3_600 + 14 * 60 + 5) * 1000); // 1h14m05s later
    const view = await viewOf(fixture, 'flash-countdown', 'sub-emma');
    expect(view.state).toBe('running');
    expect(view.secondsLeft).toBe(3 * 86_400 - 4_445);
    expect(view.text).toBe('2 days 22:45:55');
    expect(view.units).toEqual([
      { key: 'days', value: '2', label: 'days' },
      { key: 'hours', value: '22', label: 'hours' },
      { key: 'minutes', value: '45', label: 'minutes' },
      { key: 'seconds', value: '55', label: 'seconds' },
    ]);
    expect(view.headline).toBe('Sale ends in');
    // Emma lives in New York: the deadline reads in her zone.
    expect(view.deadlineText).toBe('Wed, Nov 25, 5:00 AM EST');
  });

  test('German subscriber gets German units, zone and translated messages', async () => {
    const view = await viewOf(fixture, 'flash-countdown', 'sub-lena');
    expect(view.units.map((unit: { label: string }) => unit.label)).toEqual(['Tage', 'Stunden', 'Minuten', 'Sekunden']);
    expect(view.text).toBe('3 Tage 00:00:00');
    expect(view.headline).toBe('Sale endet in');
    expect(view.deadlineText).toBe('Mi., 25. Nov., 11:00 MEZ');
  });

  test('Japanese subscriber gets Japanese units and Tokyo time', async () => {
    const view = await viewOf(fixture, 'flash-countdown', 'sub-yui');
    expect(view.units[0]).toEqual({ key: 'days', value: '3', label: '日' });
    expect(view.deadlineText).toContain('19:00');
    expect(view.headline).toBe('セール終了まで');
  });

  test('a passed deadline is a distinct expired state, never a negative timer', async () => {
    const view = await viewOf(fixture, 'flash-countdown', 'sub-emma', 'spring-sale');
    expect(view.state).toBe('expired');
    expect(view.secondsLeft).toBe(0);
    expect(view.units).toEqual([]);
    expect(view.headline).toBe('This sale has ended');
    expect(view.message).toBe('New offers are waiting for you.');
    expect(`${view.headline} ${view.message} ${view.text}`).not.toMatch(/-\s*\d/);
  });

  test('expires exactly at the deadline, and the last-day variant applies under 24 hours', async () => {
    fixture.clock.now = new Date('2026-11-25T09:59:59.000Z');
    const lastSecond = await viewOf(fixture, 'flash-countdown', 'sub-emma');
    expect(lastSecond.state).toBe('running');
    expect(lastSecond.text).toBe('00:00:01');
    expect(lastSecond.headline).toBe('Last day! Sale ends in');
    fixture.clock.now = new Date('2026-11-25T10:00:00.000Z');
    expect((await viewOf(fixture, 'flash-countdown', 'sub-emma')).state).toBe('expired');
  });

  test('a campaign without a deadline shows the fallback', async () => {
    await fixture.storage.campaigns.upsertCampaigns([{ id: 'evergreen', name: 'Evergreen', endsAt: null, allowedSenders: [], markets: [], templates: [], updatedAt: '2026-01-01T00:00:00.000Z' }]);
    const response = await ampGet(fixture, 'flash-countdown', fixture.token('sub-emma', 'evergreen'));
    expect(response.status).toBe(200);
    expect(response.body.items[0].kind).toBe('fallback');
  });

  test('a block-level endsAt overrides the campaign deadline', async () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: fixed, kind: countdown, defaultUrl: "https://shop.example", endsAt: "2026-11-22T12:30:00Z" }\n',
      'inline',
    );
    const local = await createFixture({ blocks });
    const view = await viewOf(local, 'fixed', 'sub-emma');
    expect(view.text).toBe('02:30:00');
    await local.close();
  });
});

/**
 * A countdown GIF draws its still once and then only the boxes whose figures
 * changed (render/ticking-frames.ts). Whatever it skips, every frame must
 * still be the full drawing of its second: the same bytes as a GIF of one
 * full drawing a frame, and to the eye (pixelmatch, threshold 0.1) the
 * picture of that second.
 */
describe('countdown GIF', () => {
  /** The flash sale ends 3 days after RENDER_NOW. */
  const DEADLINE = RENDER_NOW.getTime() + 3 * 86_400_000;
  let render: RenderFixture;
  let pixelmatch: Pixelmatcher;
  beforeAll(async () => {
    render = await createRenderFixture();
    pixelmatch = startPixelmatch();
  });
  afterAll(async () => {
    await render.close();
    await pixelmatch.close();
  });

  /** The frames of an open at `start`, as block-image.ts resolves them: one a second for a minute, or until it stops. */
  async function framesFrom(start: number, locale: string): Promise<ShownView[]> {
    const views: ShownView[] = [];
    for (let second = 0; second < 60; second++) {
      const view = await render.view('flash-countdown', LOCALE_SUBSCRIBERS[locale] as string, 'flash-sale', new Date(start + second * 1000));
      views.push(view);
      if (!isTicking(view)) break;
    }
    return views;
  }

  /** block-image.ts's timing: loops while it ticks; plays once and rests on the expired frame otherwise. */
  function timingOf(views: readonly ShownView[]): GifTiming {
    const stopped = views.length > 1 && !isTicking(views[views.length - 1] as ShownView);
    return { delayMs: 1000, loop: !stopped, paletteFrames: stopped ? [views.length - 1] : [] };
  }

  /** Frames stacked top to bottom as one PNG, written fast (pixelmatch decodes it in its worker). */
  function stackedPng(frames: readonly Uint8Array[], width: number, height: number): Buffer {
    const png = new PNG({ width, height: height * frames.length });
    frames.forEach((pixels, index) => png.data.set(pixels, index * width * height * 4));
    return PNG.sync.write(png, { deflateLevel: 1, filterType: 0 });
  }

  /** The seconds box in canvas pixels, from the kind's own ticks. */
  function secondsBox(view: ShownView, theme: Theme, scale: number): { left: number; top: number; right: number; bottom: number } {
    if (!isViewOf(view, 'countdown')) throw new Error('not a countdown view');
    const part = blockKinds.countdown.animation?.ticks?.(view, theme)?.parts.at(-1);
    if (!part) throw new Error('a running countdown has ticks');
    const { x, y, width, height } = part.box;
    return { left: Math.floor(x * scale), top: Math.floor(y * scale), right: Math.ceil((x + width) * scale), bottom: Math.ceil((y + height) * scale) };
  }

  function regionDiffers(a: Uint8Array, b: Uint8Array, width: number, box: { left: number; top: number; right: number; bottom: number }): boolean {
    for (let y = box.top; y < box.bottom; y++) {
      const from = (y * width + box.left) * 4;
      const to = (y * width + box.right) * 4;
      if (!Buffer.from(a.subarray(from, to)).equals(Buffer.from(b.subarray(from, to)))) return true;
    }
    return false;
  }

  /** True when two views differ in their seconds figure only. */
  function onlySecondsChange(before: ShownView, after: ShownView): boolean {
    if (!isViewOf(before, 'countdown') || !isViewOf(after, 'countdown')) return false;
    const rest = (view: typeof before) => JSON.stringify(view.units.map((unit) => (unit.key === 'seconds' ? unit.label : unit)));
    return rest(before) === rest(after) && before.headline === after.headline;
  }

  /** The GIF the render worker draws for these views, checked to be the same bytes as a GIF of one full drawing a frame. */
  async function checkGif(views: readonly ShownView[], options: { scale?: number; theme?: Theme } = {}): Promise<Buffer> {
    const scale = options.scale ?? 1;
    const theme = options.theme ?? defaultTheme(themeDefaultsOf(views[0] as ShownView));
    const timing = timingOf(views);
    const bytes = await renderGif({ views, theme, scale, timing }, Number.POSITIVE_INFINITY);
    const full = (index: number) => drawBlock(views[index] as ShownView, theme, { scale, images: new Map() });
    const reference = await encodeGifAnimation({ ...timing, frameCount: views.length, drawFrame: full });
    expect(bytes.equals(reference)).toBe(true);
    const gif = readGif(bytes);
    expect(gif.frames).toHaveLength(views.length);
    expect(gif.frames.every((frame) => frame.delayMs === 1000)).toBe(true);
    return bytes;
  }

  test('every frame shows the full drawing of its second, and the seconds change in every one', async () => {
    // From 3 days 00:00:30 to 2 days 23:59:31: at frame 31 every figure changes, otherwise the seconds only.
    const views = await framesFrom(DEADLINE - 3 * 86_400_000 - 30_000, 'en-US');
    expect(views).toHaveLength(60);
    const theme = defaultTheme(themeDefaultsOf(views[0] as ShownView));
    const gif = readGif(await checkGif(views, { theme }));
    const shown = compositeFrames(gif);

    // What a viewer sees at second n is the PNG of second n, up to the palette (pixelmatch, threshold 0.1).
    const drawings = views.map((view) => {
      const canvas = drawBlock(view, theme, { scale: 1, images: new Map() });
      return new Uint8Array(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
    });
    const { different } = await pixelmatch.compare(stackedPng(drawings, gif.width, gif.height), stackedPng(shown, gif.width, gif.height), 0.1);
    expect(different).toBe(0);
    // The comparison can fail: second 1 is not second 0.
    const shifted = await pixelmatch.compare(stackedPng(drawings.slice(1), gif.width, gif.height), stackedPng(shown.slice(0, -1), gif.width, gif.height), 0.1);
    expect(shifted.different).toBeGreaterThan(59 * 20);

    const seconds = secondsBox(views[0] as ShownView, theme, 1);
    for (let index = 1; index < views.length; index++) {
      expect({ frame: index, secondsChanged: regionDiffers(shown[index] as Uint8Array, shown[index - 1] as Uint8Array, gif.width, seconds) }).toEqual({ frame: index, secondsChanged: true });
      // Only the seconds box was written, unless another figure or a unit name changed too
      // (at 00:00:01 "seconds" becomes "second"; at frame 31 the day turns).
      const frame = gif.frames[index]!;
      const insideSeconds = frame.left >= seconds.left && frame.top >= seconds.top && frame.left + frame.width <= seconds.right && frame.top + frame.height <= seconds.bottom;
      expect({ frame: index, insideSeconds }).toEqual({ frame: index, insideSeconds: onlySecondsChange(views[index - 1] as ShownView, views[index] as ShownView) });
    }
  });

  test('right to left with Arabic-Indic digits, and Japanese at scale 2', async () => {
    await checkGif(await framesFrom(DEADLINE - 3_600_000 - 20_000, 'ar-EG'));
    await checkGif(await framesFrom(DEADLINE - 3_600_000 - 20_000, 'ja-JP'), { scale: 2 });
  });

  test('a new headline within the minute (the last day begins) is drawn whole; themed blocks, a transparent one too', async () => {
    const views = await framesFrom(DEADLINE - 86_400_000 - 20_000, 'de-DE');
    const headlines = new Set(views.map((view) => (isViewOf(view, 'countdown') ? view.headline : '')));
    expect(headlines.size).toBe(2);
    await checkGif(views);
    const themed = resolveTheme({ colors: { background: '#fef3c7', figureBackground: '#7f1d1d' }, radius: 30, padding: 13.5 }, blockKinds.countdown.theme, 'test');
    await checkGif(views, { theme: themed, scale: 1.5 });
    // A transparent background: whole frames, since a pixel left unchanged cannot be told from a transparent one.
    const clear = resolveTheme({ colors: { background: '#ffffff00' } }, blockKinds.countdown.theme, 'test');
    const gif = readGif(await checkGif(views, { theme: clear }));
    expect(gif.frames.every((frame) => frame.width === gif.width && frame.height === gif.height && frame.transparentIndex !== null)).toBe(true);
  });

  test('the deadline within the minute: the last frame is the expired state, held, never a negative timer', async () => {
    const views = await framesFrom(DEADLINE - 10_000, 'fr-FR');
    expect(views).toHaveLength(11);
    const last = views[10] as ShownView;
    expect(isViewOf(last, 'countdown') && last.state).toBe('expired');
    expect(views.slice(0, 10).every((view) => isViewOf(view, 'countdown') && view.secondsLeft > 0)).toBe(true);
    const gif = readGif(await checkGif(views));
    expect(gif.loopCount).toBeNull();
  });
});
