import type { DrawEnv } from '../../render/draw-env';
import { measuringContext } from '../../render/measuring-context';
import { badgeShape, textStyle } from '../../render/shapes';
import { drawLabel, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { NarrowDrawing, PartLayout } from '../kind';
import { drawProductImage, layoutPriceRow } from '../shared/draw-product-card';
import type { ProductCardView } from '../shared/product-card';
import { stackedRows } from '../shared/stacked-rows';
import { drawNarrowTitleBar, layoutNarrowTitleBar, type NarrowTitleBar } from '../shared/title-bar';
import type { RecommendationsView } from './index';

/**
 * The picks' phone picture (`?layout=narrow`, render/layout.ts): the title and the button on top,
 * then one card per row, stacked — the picture (4:5) on the reading side, the badge, the name over
 * up to two lines and the price beside it — so four picks never shrink into a 600 px row. The rows
 * are the picture's parts (`?slot=N&layout=narrow`), so an HTML part links each card in its own
 * full-width cell.
 */

const PICTURE_WIDTH = 96;
const PICTURE_HEIGHT = 120;
const COLUMN_GAP = 14;
const ROW_GAP = 16;
const HEADER_GAP = 16;
const BADGE_HEIGHT = 22;

interface NarrowCard {
  card: ProductCardView;
  y: number;
  height: number;
  name: ParagraphLayout;
  price: ReturnType<typeof layoutPriceRow>;
}

interface NarrowRecommendationsLayout extends NarrowTitleBar {
  nameStyle: TextStyle;
  cards: NarrowCard[];
  parts: PartLayout;
  height: number;
}

function narrowLayout(ctx: Context, view: RecommendationsView, theme: Theme): NarrowRecommendationsLayout {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  const header = layoutNarrowTitleBar(ctx, view, theme);
  const { headerHeight } = header;

  const columnWidth = inner - PICTURE_WIDTH - COLUMN_GAP;
  const nameStyle = textStyle(theme, Math.max(fontSizes.title, 16), colors.text, 400, fontSizes.min);
  const sizes = { price: Math.max(fontSizes.price, 17), secondary: fontSizes.small };
  let y = padding + headerHeight + HEADER_GAP;
  const cards = view.products.map((card) => {
    const name = layoutParagraph(ctx, card.name, columnWidth, 2, nameStyle);
    const price = layoutPriceRow(ctx, card, columnWidth, theme, sizes);
    const text = (card.badge ? BADGE_HEIGHT + 8 : 0) + name.height + 6 + price.height;
    const placed = { card, y, height: Math.max(PICTURE_HEIGHT, Math.ceil(text)), name, price };
    y += placed.height + ROW_GAP;
    return placed;
  });
  const height = Math.ceil(y - ROW_GAP + padding);
  const headerBottom = padding + headerHeight + HEADER_GAP / 2;
  const rows = stackedRows(cards.map((card) => card.y), headerBottom, height, ROW_GAP);
  return { ...header, nameStyle, cards, parts: { headerBottom, columns: [], rows }, height };
}

function drawNarrowRecommendations(ctx: Context, view: RecommendationsView, theme: Theme, env: DrawEnv): void {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  const layout = narrowLayout(ctx, view, theme);
  const rtl = textDirection(view.title) === 'rtl';
  drawNarrowTitleBar(ctx, view, layout, theme, env);

  const columnWidth = inner - PICTURE_WIDTH - COLUMN_GAP;
  const pictureX = rtl ? width - padding - PICTURE_WIDTH : padding;
  const columnX = rtl ? padding : padding + PICTURE_WIDTH + COLUMN_GAP;
  layout.cards.forEach((placed, index) => {
    if (index > 0) {
      ctx.fillStyle = colors.border;
      ctx.fillRect(padding, Math.round(placed.y - ROW_GAP / 2), inner, 1);
    }
    const { card } = placed;
    drawProductImage(ctx, card.image, pictureX, placed.y, PICTURE_WIDTH, PICTURE_HEIGHT, theme, env);
    let y = placed.y;
    if (card.badge) {
      drawLabel(ctx, card.badge.text, rtl ? columnX + columnWidth : columnX, y, rtl ? 'right' : 'left', badgeShape(theme, card.badge.tone, columnWidth, BADGE_HEIGHT, fontSizes.small), env.log);
      y += BADGE_HEIGHT + 8;
    }
    paintParagraph(ctx, placed.name, { x: columnX, y, width: columnWidth, align: 'start' }, layout.nameStyle, env.log);
    y += placed.name.height + 6;
    placed.price.draw(columnX, y, env);
  });
}

export const recommendationsNarrow: NarrowDrawing<RecommendationsView> = {
  height: (view, theme) => narrowLayout(measuringContext(), view, theme).height,
  draw: drawNarrowRecommendations,
  parts: (view, theme) => narrowLayout(measuringContext(), view, theme).parts,
};
