import type { DrawEnv } from '../../render/draw-env';
import { measuringContext } from '../../render/measuring-context';
import { badgeShape, buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { NarrowDrawing } from '../kind';
import { drawProductImage, layoutPriceRow } from '../shared/draw-product-card';
import type { ProductView } from './index';

/**
 * The product card's phone picture (`?layout=narrow`, render/layout.ts): stacked instead of side
 * by side, so the name and price get the whole width. The swap note as a band (two lines at most),
 * the picture across the width (4:3), then the badge, the name over up to two lines, the price row
 * and a full-width button.
 */

const PICTURE_RATIO = 0.75;
const BADGE_HEIGHT = 26;
const BUTTON_HEIGHT = 44;
const GAP = 12;

interface NarrowProductLayout {
  note: { layout: ParagraphLayout; style: TextStyle; height: number } | null;
  pictureY: number;
  pictureHeight: number;
  badgeY: number;
  name: ParagraphLayout;
  nameStyle: TextStyle;
  nameY: number;
  price: ReturnType<typeof layoutPriceRow>;
  priceY: number;
  buttonY: number;
  height: number;
}

function narrowLayout(ctx: Context, view: ProductView, theme: Theme): NarrowProductLayout {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  let y = 0;
  let note: NarrowProductLayout['note'] = null;
  if (view.note) {
    const style = textStyle(theme, fontSizes.body - 1, colors.text, 400);
    const layout = layoutParagraph(ctx, view.note, inner, 2, style);
    note = { layout, style, height: Math.round(layout.height + 2 * GAP) };
    y += note.height;
  }
  y += padding;
  const pictureY = y;
  const pictureHeight = Math.round(inner * PICTURE_RATIO);
  y += pictureHeight + GAP + 2;

  const product = view.product;
  const badgeY = y;
  if (product.badge) y += BADGE_HEIGHT + GAP - 2;
  const nameStyle = textStyle(theme, fontSizes.title, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.title * 0.8)));
  const name = layoutParagraph(ctx, product.name, inner, 2, nameStyle);
  const nameY = y;
  y += name.height + 6;
  const price = layoutPriceRow(ctx, product, inner, theme, { price: fontSizes.price, secondary: Math.max(fontSizes.min, Math.round(fontSizes.price * 0.65)) });
  const priceY = y;
  y += price.height + GAP + 4;
  const buttonY = y;
  y += BUTTON_HEIGHT + padding;
  return { note, pictureY, pictureHeight, badgeY, name, nameStyle, nameY, price, priceY, buttonY, height: Math.ceil(y) };
}

function drawNarrowProduct(ctx: Context, view: ProductView, theme: Theme, env: DrawEnv): void {
  const { width, padding } = theme;
  const inner = width - 2 * padding;
  const layout = narrowLayout(ctx, view, theme);
  if (layout.note) {
    ctx.fillStyle = theme.colors.surface;
    ctx.fillRect(0, 0, width, layout.note.height);
    paintParagraph(ctx, layout.note.layout, { x: padding, y: GAP, width: inner, align: 'start' }, layout.note.style, env.log);
  }
  const product = view.product;
  drawProductImage(ctx, product.image, padding, layout.pictureY, inner, layout.pictureHeight, theme, env);
  // Badge and button sit on the side the name reads from.
  const rtl = textDirection(product.name) === 'rtl';
  const edge = rtl ? width - padding : padding;
  const align = rtl ? 'right' : 'left';
  if (product.badge) drawLabel(ctx, product.badge.text, edge, layout.badgeY, align, badgeShape(theme, product.badge.tone, inner, BADGE_HEIGHT), env.log);
  paintParagraph(ctx, layout.name, { x: padding, y: layout.nameY, width: inner, align: 'start' }, layout.nameStyle, env.log);
  layout.price.draw(padding, layout.priceY, env);
  drawLabel(ctx, view.cta.label, width / 2, layout.buttonY, 'center', { ...buttonShape(theme, inner, BUTTON_HEIGHT), minWidth: inner }, env.log);
}

export const productNarrow: NarrowDrawing<ProductView> = {
  height: (view, theme) => narrowLayout(measuringContext(), view, theme).height,
  draw: drawNarrowProduct,
};
