import { createCanvas, type Canvas, type Image } from '@napi-rs/canvas';
import type { CountdownView } from '../blocks/countdown';
import type { BlockView } from '../blocks/kind';
import type { LoyaltyView } from '../blocks/loyalty';
import type { ProductView } from '../blocks/product';
import type { RecommendationsView } from '../blocks/recommendations';
import type { DrawLog } from './draw-log';
import { registerBundledFonts } from './fonts';
import { drawCountdown } from './kinds/countdown';
import { drawFallback, type FallbackViewLike } from './kinds/fallback';
import { drawLoyalty } from './kinds/loyalty';
import { drawProduct } from './kinds/product';
import { drawRecommendations } from './kinds/recommendations';
import type { DrawEnv } from './kinds/shared';
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
 * The product image URLs a view needs, in drawing order, without duplicates,
 * so the caller can load them before the synchronous draw. Appended to
 * `into` (skipping those already there), so the frames of an animation
 * collect into one list. Plain loops, not Set/flatMap: this runs on every
 * cached image open, where those cost several µs.
 */
export function imageUrlsOf(view: BlockView, into: string[] = []): string[] {
  switch (view.kind) {
    case 'product':
      addUrl(into, (view as ProductView).product?.image);
      break;
    case 'recommendations':
      for (const product of (view as RecommendationsView).products ?? []) addUrl(into, product.image);
      break;
  }
  return into;
}

function addUrl(urls: string[], url: unknown): void {
  if (typeof url === 'string' && url !== '' && !urls.includes(url)) urls.push(url);
}

/**
 * Draws a view onto a new canvas of theme width × height × scale (layout in
 * CSS pixels, scaled by the context). Synchronous and pure apart from the
 * canvas: every string drawn comes from the view as it is. A `fallback`
 * item, or a kind this renderer does not know, draws the fallback layout with
 * whatever headline and button it has.
 */
export function drawBlock(view: BlockView, theme: Theme, options: DrawBlockOptions): Canvas {
  registerBundledFonts();
  const scale = clampScale(theme, options.scale);
  const canvas = createCanvas(Math.round(theme.width * scale), Math.round(theme.height * scale));
  const ctx = canvas.getContext('2d');
  if (scale !== 1) ctx.scale(scale, scale);
  ctx.fillStyle = theme.colors.background;
  ctx.fillRect(0, 0, theme.width, theme.height);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';

  const env: DrawEnv = options.drawLog ? { images: options.images, log: options.drawLog } : { images: options.images };
  switch (view.kind) {
    case 'countdown':
      drawCountdown(ctx, view as CountdownView, theme, env);
      break;
    case 'product':
      drawProduct(ctx, view as ProductView, theme, env);
      break;
    case 'recommendations':
      drawRecommendations(ctx, view as RecommendationsView, theme, env);
      break;
    case 'loyalty':
      drawLoyalty(ctx, view as LoyaltyView, theme, env);
      break;
    default:
      drawFallback(ctx, view as FallbackViewLike, theme, env);
  }
  return canvas;
}
