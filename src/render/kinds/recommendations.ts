import type { ProductCardView } from '../../blocks/product-card';
import type { RecommendationsView } from '../../blocks/recommendations';
import { drawLabel, layoutParagraph, paintParagraph, type Context } from '../text';
import type { Theme } from '../theme';
import { layoutPriceRow } from './product';
import { badgeShape, buttonShape, drawProductImage, textStyle, type DrawEnv } from './shared';

/** Cards never grow wider than this; fewer picks are centred instead. */
const MAX_CARD_WIDTH = 200;
const CARD_GAP = 12;

/**
 * Title and a small button on top, then one card per pick in a row: the image
 * (badge pill on its corner), the name over two lines, the price.
 */
export function drawRecommendations(ctx: Context, view: RecommendationsView, theme: Theme, env: DrawEnv): void {
  const { width, height, padding, colors, fontSizes } = theme;
  const headerHeight = 34;
  const button = buttonShape(theme, Math.round(width * 0.4), headerHeight, fontSizes.small + 1);
  const drawnButton = drawLabel(ctx, view.cta.label, width - padding, padding, 'right', button, env.log);
  const titleStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.7)));
  const titleWidth = drawnButton.x - padding - 16;
  const title = layoutParagraph(ctx, view.title, titleWidth, 1, titleStyle);
  paintParagraph(ctx, title, { x: padding, y: padding + (headerHeight - title.height) / 2, width: titleWidth, align: 'start' }, titleStyle, env.log);

  const count = view.products.length;
  if (count === 0) return;
  const rowWidth = width - 2 * padding;
  const cardWidth = Math.min(MAX_CARD_WIDTH, Math.floor((rowWidth - CARD_GAP * (count - 1)) / count));
  const usedWidth = cardWidth * count + CARD_GAP * (count - 1);
  const top = padding + headerHeight + 18;
  const textHeight = fontSizes.title * 1.25 * 2 + 8 + fontSizes.price * 1.25 + fontSizes.small * 1.4;
  // Portrait (4:5) like most product photography, as tall as the space allows.
  const imageHeight = Math.max(0, Math.min(Math.round(cardWidth * 1.25), height - top - padding - textHeight - 10));

  view.products.forEach((product, index) => {
    const x = padding + (rowWidth - usedWidth) / 2 + index * (cardWidth + CARD_GAP);
    drawCard(ctx, product, x, top, cardWidth, imageHeight, theme, env);
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
