/**
 * The narrow countdown GIF (`?layout=narrow`, render/layout.ts) draws its still once and then only
 * the boxes whose figures changed (the narrow drawing's own ticks, kinds/countdown/draw-narrow.ts),
 * as the wide one does. Whatever it skips, every frame must be the full narrow drawing of its
 * second: the same bytes as a GIF of one whole drawing a frame.
 */
import { isTicking, themeDefaultsOf, type ShownView } from '../src/kinds/kind-of-view';
import { drawBlock } from '../src/render/draw-block';
import { encodeGifAnimation } from '../src/render/gif';
import { layoutTheme, NARROW_WIDTH } from '../src/render/layout';
import { renderGif } from '../src/render/render-worker';
import { defaultTheme } from '../src/render/theme';
import { readGif } from './helpers/gif-reader';
import { createRenderFixture, LOCALE_SUBSCRIBERS, RENDER_NOW, type RenderFixture } from './helpers/render-fixtures';

/** The flash sale ends 3 days after RENDER_NOW. */
const DEADLINE = RENDER_NOW.getTime() + 3 * 86_400_000;

let render: RenderFixture;
beforeAll(async () => {
  render = await createRenderFixture();
});
afterAll(async () => {
  await render.close();
});

async function framesFrom(start: number, locale: string): Promise<ShownView[]> {
  const views: ShownView[] = [];
  for (let second = 0; second < 60; second++) {
    const view = await render.view('flash-countdown', LOCALE_SUBSCRIBERS[locale] as string, 'flash-sale', new Date(start + second * 1000));
    views.push(view);
    if (!isTicking(view)) break;
  }
  return views;
}

test.each([
  // Across 3 days 00:00:00: at frame 31 every figure changes, otherwise the seconds only.
  ['en-US', DEADLINE - 3 * 86_400_000 - 30_000, 1],
  // Right to left, at 2x: the largest unit on the right.
  ['ar-EG', DEADLINE - 86_400_000 - 45_000, 2],
] as const)('%s: each frame of the narrow GIF is the whole narrow drawing of its second', async (locale, start, scale) => {
  const views = await framesFrom(start, locale);
  expect(views).toHaveLength(60);
  const theme = layoutTheme(views[0] as ShownView, defaultTheme(themeDefaultsOf(views[0] as ShownView)), 'narrow');
  expect(theme.width).toBe(NARROW_WIDTH);
  const timing = { delayMs: 1000, loop: true, paletteFrames: [] };
  const bytes = await renderGif({ views, theme, scale, timing }, Number.POSITIVE_INFINITY);
  const whole = (index: number) => drawBlock(views[index] as ShownView, theme, { scale, images: new Map() });
  const reference = await encodeGifAnimation({ ...timing, frameCount: views.length, drawFrame: whole });
  expect(bytes.equals(reference)).toBe(true);
  const gif = readGif(bytes);
  expect([gif.width, gif.height]).toEqual([NARROW_WIDTH * scale, theme.height * scale]);
  // Most frames redraw only the seconds box: far smaller than the picture.
  expect(gif.frames.filter((frame) => frame.width * frame.height < (gif.width * gif.height) / 10).length).toBeGreaterThan(50);
});
