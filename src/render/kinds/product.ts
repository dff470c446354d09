import type { ProductView } from '../../blocks/product';
import type { ProductCardView } from '../../blocks/product-card';
import { drawLabel, drawText, fitLine, layoutParagraph, paintParagraph, type Context, type TextStyle } from '../text';
import type { Theme } from '../theme';
import { badgeShape, buttonShape, drawProductImage, textStyle, type DrawEnv } from './shared';

/**
 * The product card: the image on the left, then badge, name, price (the sale
 * price in the sale colour with the original struck through and the
 * discount), and the call to action, aligned with the image's bottom edge.
 * A swapped-in product gets its note as a band across the top.
 */
export function drawProduct(ctx: Context, view: ProductView, theme: Theme, env: DrawEnv): void {
  const { width, height, padding, colors, fontSizes } = theme;
  let top = 0;
  if (view.note) top = drawNoteBand(ctx, view.note, theme, env);

  const side = Math.max(0, Math.min(height - top - 2 * padding, Math.round(width * 0.45)));
  const imageY = top + padding;
  drawProductImage(ctx, view.product.image, padding, imageY, side, side, theme, env);

  const columnX = padding + side + Math.round(padding * 1.25);
  const columnWidth = width - columnX - padding;
  const bottom = imageY + side;

  const buttonHeight = Math.min(44, Math.max(28, Math.round(side * 0.2)));
  const product = view.product;
  const badgeHeight = product.badge ? 24 + 14 : 0;
  const nameStyle = textStyle(theme, fontSizes.title, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.title * 0.75)));
  const sizes = { price: fontSizes.price, secondary: Math.round(fontSizes.price * 0.65) };
  const price = layoutPriceRow(ctx, product, columnWidth, theme, sizes);
  const buttonGap = 22;
  const fixed = badgeHeight + 8 + price.height + buttonGap + buttonHeight;
  // The name may take two lines, or one when the rest needs the room.
  const maxLines = side - fixed >= 2 * nameStyle.size * 1.25 ? 2 : 1;
  const name = layoutParagraph(ctx, product.name, columnWidth, maxLines, nameStyle);

  // The column's content is centred on the image, or starts at its top when it is too tall to centre.
  let y = imageY + Math.max(0, Math.round((side - fixed - name.height) / 2));
  if (product.badge) drawLabel(ctx, product.badge.text, columnX, y, 'left', badgeShape(theme, product.badge.tone, columnWidth), env.log);
  y += badgeHeight;
  paintParagraph(ctx, name, { x: columnX, y, width: columnWidth, align: 'start' }, nameStyle, env.log);
  y += name.height + 8;
  price.draw(columnX, y, env);
  y += price.height + buttonGap;
  drawLabel(ctx, view.cta.label, columnX, Math.min(y, bottom - buttonHeight), 'left', buttonShape(theme, columnWidth, buttonHeight), env.log);
}

/** The swap note: a quiet band across the top of the card. Returns its height. */
function drawNoteBand(ctx: Context, note: string, theme: Theme, env: DrawEnv): number {
  const bandHeight = Math.round(theme.fontSizes.body * 2.6);
  ctx.fillStyle = theme.colors.surface;
  ctx.fillRect(0, 0, theme.width, bandHeight);
  drawText(
    ctx,
    note,
    { x: theme.padding, y: 0, width: theme.width - 2 * theme.padding, height: bandHeight, align: 'start' },
    textStyle(theme, theme.fontSizes.body - 1, theme.colors.text, 400),
    env.log,
  );
  return bandHeight;
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
