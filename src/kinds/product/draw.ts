import type { DrawEnv } from '../../render/draw-env';
import { badgeShape, buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, drawText, layoutParagraph, paintParagraph, type Context } from '../../render/text';
import type { Theme } from '../../render/theme';
import { drawProductImage, layoutPriceRow } from '../shared/draw-product-card';
import type { ProductView } from './index';

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
