import { createCanvas, type Canvas, type Image } from '@napi-rs/canvas';
import { isBlockView, picturesOf, productCardsOf, withKind, type ShownView } from '../kinds/kind-of-view';
import { registerBrandFonts } from './brand-fonts';
import type { DrawEnv } from './draw-env';
import type { DrawLog } from './draw-log';
import { drawFallbackPanel } from './fallback-panel';
import { registerBundledFonts } from './fonts';
import { clampScale, type Theme } from './theme';

export interface DrawBlockOptions {
  /** Pixel density: 1, or up to 2 for high-density screens; capped by clampScale. */
  scale: number;
  /** Decoded product images by URL (see imageUrlsOf); null or absent draws the placeholder. */
  images: ReadonlyMap<string, Image | null>;
  /** Records every string and image drawn (tests). */
  drawLog?: DrawLog;
}

/**
 * The picture URLs a view needs (those of its kind's product cards, then its
 * other pictures, BlockKind.pictures), in drawing order, without duplicates, so the caller can load them before
 * the synchronous draw. Appended to `into` (skipping those already there), so
 * the frames of an animation collect into one list. Plain loops, not
 * Set/flatMap: this runs on every cached image open, where those cost
 * several µs.
 */
export function imageUrlsOf(view: ShownView, into: string[] = []): string[] {
  for (const card of productCardsOf(view)) addUrl(into, card.image);
  for (const url of picturesOf(view)) addUrl(into, url);
  return into;
}

function addUrl(urls: string[], url: unknown): void {
  if (typeof url === 'string' && url !== '' && !urls.includes(url)) urls.push(url);
}

/**
 * Draws a view onto a new canvas of theme width × height × scale (layout in
 * CSS pixels, scaled by the context). Synchronous and pure apart from the
 * canvas: every string drawn comes from the view as it is. A kind's view is
 * drawn by its kind; a fallback item as the fallback panel, with whatever
 * headline and button it has.
 */
export function drawBlock(view: ShownView, theme: Theme, options: DrawBlockOptions): Canvas {
  registerBundledFonts();
  // A render thread registers the theme's brand fonts the first time it draws with them (render/brand-fonts.ts).
  if (theme.fonts.length > 0) registerBrandFonts(theme.fonts);
  const scale = clampScale(theme, options.scale);
  const canvas = createCanvas(Math.round(theme.width * scale), Math.round(theme.height * scale));
  const ctx = canvas.getContext('2d');
  if (scale !== 1) ctx.scale(scale, scale);
  ctx.fillStyle = theme.colors.background;
  ctx.fillRect(0, 0, theme.width, theme.height);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';

  const env: DrawEnv = options.drawLog ? { images: options.images, log: options.drawLog } : { images: options.images };
  // A narrow theme (render/layout.ts) is made only for a kind that has a narrow drawing.
  if (isBlockView(view)) withKind(view, (kind, own) => (theme.layout === 'narrow' && kind.narrow ? kind.narrow.draw : kind.draw)(ctx, own, theme, env));
  else drawFallbackPanel(ctx, view, theme, env);
  return canvas;
}
