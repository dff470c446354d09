import type { DrawEnv } from '../../render/draw-env';
import { badgeShape, textStyle } from '../../render/shapes';
import { drawLabel, layoutParagraph, paintParagraph, type Context } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { PartLayout } from '../kind';
import { cardRow } from '../shared/card-row';
import { drawProductImage, layoutPriceRow } from '../shared/draw-product-card';
import { drawTitleBar } from '../shared/title-bar';
import type { ProductCardView } from '../shared/product-card';
import type { RecommendationsView } from './index';

/** Cards never grow wider than this; fewer picks are centred instead. */
const MAX_CARD_WIDTH = 200;
const CARD_GAP = 12;

/** Where the parts of a recommendations picture are, in CSS pixels: the header band, then one column per card. */
export interface RecommendationsLayout extends PartLayout {
  /** The header band's height; the cards' columns start here (halfway through the gap above the cards). */
  headerBottom: number;
  /** Card images start here. */
  cardsTop: number;
  cardWidth: number;
  imageHeight: number;
  /** Each card's left edge, in slot order. */
  cardXs: number[];
  /**
   * Each slot's column: from halfway to its left neighbour (0 for the first)
   * to halfway to its right neighbour (the picture's width for the last), so
   * the columns tile the row and a cropped card keeps its share of the gaps.
   */
  columns: { x: number; width: number }[];
}

const HEADER_HEIGHT = 34;
const HEADER_GAP = 18;

export function recommendationsLayout(view: RecommendationsView, theme: Theme): RecommendationsLayout {
  const { height, padding, fontSizes } = theme;
  const { cardWidth, cardXs, columns } = cardRow(view.products.length, theme, MAX_CARD_WIDTH, CARD_GAP);
  const cardsTop = padding + HEADER_HEIGHT + HEADER_GAP;
  const textHeight = fontSizes.title * 1.25 * 2 + 8 + fontSizes.price * 1.25 + fontSizes.small * 1.4;
  // Portrait (4:5) like most product photography, as tall as the space allows.
  const imageHeight = Math.max(0, Math.min(Math.round(cardWidth * 1.25), height - cardsTop - padding - textHeight - 10));
  return { headerBottom: cardsTop - HEADER_GAP / 2, cardsTop, cardWidth, imageHeight, cardXs, columns };
}

/**
 * Title and a small button on top, then one card per pick in a row: the image
 * (badge pill on its corner), the name over two lines, the price.
 */
export function drawRecommendations(ctx: Context, view: RecommendationsView, theme: Theme, env: DrawEnv): void {
  drawTitleBar(ctx, view, theme, env, HEADER_HEIGHT);
  const layout = recommendationsLayout(view, theme);
  view.products.forEach((product, index) => {
    drawCard(ctx, product, layout.cardXs[index] as number, layout.cardsTop, layout.cardWidth, layout.imageHeight, theme, env);
  });
}

function drawCard(ctx: Context, product: ProductCardView, x: number, y: number, width: number, imageHeight: number, theme: Theme, env: DrawEnv): void {
  const { colors, fontSizes } = theme;
  drawProductImage(ctx, product.image, x, y, width, imageHeight, theme, env);
  if (product.badge) {
    const inset = 6;
    drawLabel(ctx, product.badge.text, x + inset, y + inset, 'left', badgeShape(theme, product.badge.tone, width - 2 * inset, 20, fontSizes.small - 0.5), env.log);
  }
  let textY = y + imageHeight + 10;
  const nameStyle = textStyle(theme, fontSizes.title, colors.text, 400, Math.max(fontSizes.min, fontSizes.title - 2));
  const name = layoutParagraph(ctx, product.name, width, 2, nameStyle);
  paintParagraph(ctx, name, { x, y: textY, width, align: 'start' }, nameStyle, env.log);
  textY += fontSizes.title * 1.25 * 2 + 6;
  layoutPriceRow(ctx, product, width, theme, { price: fontSizes.price, secondary: fontSizes.small }).draw(x, textY, env);
}
