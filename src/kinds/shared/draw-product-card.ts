import type { DrawEnv } from '../../render/draw-env';
import { drawPicture } from '../../render/picture';
import { textStyle } from '../../render/shapes';
import { drawText, fillRoundRect, fitLine, type Context, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { ProductCardView } from './product-card';

// The parts of a product card that the product and recommendations drawings share: its picture and its price row.

/**
 * A product image fitted to the box as the theme's `pictureFit` and
 * `pictureFocus` say (cropped to fill it by default, like CSS object-fit:
 * cover; or whole inside it, contain) with rounded corners; a neutral
 * placeholder when the image is missing, failed or empty. The card renders
 * either way.
 */
export function drawProductImage(ctx: Context, url: string, x: number, y: number, width: number, height: number, theme: Theme, env: DrawEnv): void {
  const image = env.images.get(url) ?? null;
  const radius = Math.min(theme.radius, width / 4, height / 4);
  if (!image || !(image.width > 0) || !(image.height > 0)) {
    drawPlaceholder(ctx, x, y, width, height, radius, theme);
    env.log?.images.push(`placeholder:${url}`);
    return;
  }
  drawPicture(ctx, image, { x, y, width, height }, theme.pictureFit, theme.pictureFocus, radius);
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

/**
 * Price, original price (struck through) and discount on one line when they
 * fit, else the original and discount on a second line under the price.
 * Measures first (for layout), draws on `draw`.
 */
export function layoutPriceRow(
  ctx: Context,
  product: ProductCardView,
  width: number,
  theme: Theme,
  sizes: { price: number; secondary: number },
): { height: number; draw(x: number, y: number, env: DrawEnv): void } {
  const { colors } = theme;
  const onSale = product.originalPrice !== null;
  const gap = Math.round(sizes.secondary * 0.6);
  const priceStyle = textStyle(theme, sizes.price, onSale ? colors.salePrice : colors.text, 700, Math.round(sizes.price * 0.7));
  const priceLine = sizes.price * 1.25;
  const secondary: { text: string; style: TextStyle }[] = [];
  if (product.originalPrice) secondary.push({ text: product.originalPrice, style: { ...textStyle(theme, sizes.secondary, colors.mutedText, 400), strikethrough: true } });
  if (product.discount) secondary.push({ text: product.discount, style: textStyle(theme, sizes.secondary, colors.salePrice, 600) });

  const priceWidth = fitLine(ctx, product.price, width, priceStyle).width;
  const secondaryWidth =
    secondary.reduce((sum, part) => sum + fitLine(ctx, part.text, width, { ...part.style, minSize: part.style.size }).width, 0) +
    gap * Math.max(0, secondary.length - 1);
  const sameLine = secondary.length === 0 || priceWidth + gap * 1.5 + secondaryWidth <= width;
  const secondLine = sizes.secondary * 1.4;

  return {
    height: sameLine ? priceLine : priceLine + secondLine,
    draw(x: number, y: number, env: DrawEnv): void {
      const price = drawText(ctx, product.price, { x, y, width, height: priceLine }, priceStyle, env.log);
      // On the price's line the smaller figures share its baseline; else they take a line of their own below.
      let cursor = sameLine ? x + price.width + gap * 1.5 : x;
      const baseline = sameLine ? price.baseline : y + priceLine + (secondLine + 0.727 * sizes.secondary) / 2;
      for (const part of secondary) {
        const drawn = drawText(ctx, part.text, { x: cursor, y, width: Math.max(0, x + width - cursor), baseline }, part.style, env.log);
        cursor += drawn.width + gap;
      }
    },
  };
}
