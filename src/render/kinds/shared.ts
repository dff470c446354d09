import type { Image } from '@napi-rs/canvas';
import type { BadgeTone } from '../../blocks/product-card';
import type { DrawLog } from '../draw-log';
import type { FontWeight } from '../fonts';
import { fillRoundRect, type Context, type LabelShape, type TextStyle } from '../text';
import type { Theme } from '../theme';

/** What every kind's drawing function gets besides the view and the theme. */
export interface DrawEnv {
  /** Decoded product images by URL; null or absent draws the placeholder. */
  images: ReadonlyMap<string, Image | null>;
  log?: DrawLog;
}

/** A text style in the theme's font; shrinking stops at `minSize` (the theme's minimum by default). */
export function textStyle(theme: Theme, size: number, color: string, weight: FontWeight = 400, minSize = theme.fontSizes.min): TextStyle {
  return { size, minSize: Math.min(minSize, size), weight, color, family: theme.fontFamily };
}

/** The call-to-action button in the theme's style. */
export function buttonShape(theme: Theme, maxWidth: number, height = 44, size = theme.fontSizes.button): LabelShape {
  const filled = theme.button.style === 'filled';
  return {
    height,
    paddingX: Math.round(height * 0.6),
    minWidth: Math.min(maxWidth, height * 3),
    maxWidth,
    radius: theme.button.radius,
    background: filled ? theme.colors.buttonBackground : null,
    border: filled ? null : theme.colors.accent,
    text: textStyle(theme, size, filled ? theme.colors.buttonText : theme.colors.accent, 600),
  };
}

/** A badge pill in its tone's colours. */
export function badgeShape(theme: Theme, tone: BadgeTone | string, maxWidth: number, height = 24, size = theme.fontSizes.small): LabelShape {
  const colours = theme.colors.badges[tone as BadgeTone] ?? theme.colors.badges.info;
  return {
    height,
    paddingX: Math.round(height * 0.45),
    maxWidth,
    radius: height / 2,
    background: colours.background,
    border: null,
    text: textStyle(theme, size, colours.text, 600, Math.min(theme.fontSizes.min, size)),
  };
}

/**
 * A product image cropped to fill the box (like CSS object-fit: cover) with
 * rounded corners; a neutral placeholder when the image is missing, failed
 * or empty. The card renders either way.
 */
export function drawProductImage(ctx: Context, url: string, x: number, y: number, width: number, height: number, theme: Theme, env: DrawEnv): void {
  const image = env.images.get(url) ?? null;
  const radius = Math.min(theme.radius, width / 4, height / 4);
  if (!image || !(image.width > 0) || !(image.height > 0)) {
    drawPlaceholder(ctx, x, y, width, height, radius, theme);
    env.log?.images.push(`placeholder:${url}`);
    return;
  }
  const scale = Math.max(width / image.width, height / image.height);
  const sourceWidth = width / scale;
  const sourceHeight = height / scale;
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(x, y, width, height, radius);
  ctx.clip();
  ctx.drawImage(image, (image.width - sourceWidth) / 2, (image.height - sourceHeight) / 2, sourceWidth, sourceHeight, x, y, width, height);
  ctx.restore();
  env.log?.images.push(url);
}

/** A flat panel with a simple picture glyph (a hill and a sun) in the middle. */
function drawPlaceholder(ctx: Context, x: number, y: number, width: number, height: number, radius: number, theme: Theme): void {
  fillRoundRect(ctx, x, y, width, height, radius, theme.colors.placeholder);
  const icon = Math.min(width, height) * 0.3;
  const left = x + (width - icon) / 2;
  const top = y + (height - icon * 0.8) / 2;
  ctx.fillStyle = theme.colors.mutedText;
  ctx.globalAlpha = 0.2;
  ctx.beginPath();
  ctx.moveTo(left, top + icon * 0.8);
  ctx.lineTo(left + icon * 0.38, top + icon * 0.3);
  ctx.lineTo(left + icon * 0.62, top + icon * 0.58);
  ctx.lineTo(left + icon * 0.76, top + icon * 0.44);
  ctx.lineTo(left + icon, top + icon * 0.8);
  ctx.closePath();
  ctx.fill();
  ctx.beginPath();
  ctx.arc(left + icon * 0.78, top + icon * 0.12, icon * 0.11, 0, Math.PI * 2);
  ctx.fill();
  ctx.globalAlpha = 1;
}
