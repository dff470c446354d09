import type { DrawEnv } from '../../render/draw-env';
import { textStyle } from '../../render/shapes';
import { drawText, fillRoundRect, layoutParagraph, LINE_HEIGHT, paintParagraph, type Context, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { PartLayout } from '../kind';
import { cardRow } from '../shared/card-row';
import { drawProductImage } from '../shared/draw-product-card';
import { drawTitleBar } from '../shared/title-bar';
import type { FeedCardView, FeedView } from './index';

/** Cards never grow wider than this; fewer items are centred instead. */
const MAX_CARD_WIDTH = 220;
const CARD_GAP = 14;
const HEADER_HEIGHT = 34;
const HEADER_GAP = 18;
const TEXT_GAP = 8;

/** Where a feed picture's parts are (the header band, one column per card) and its cards' boxes. */
interface FeedLayout extends PartLayout {
  cardsTop: number;
  cardWidth: number;
  /** 0 when no item of the view has a picture: the cards are text only. */
  imageHeight: number;
  cardXs: number[];
  columns: { x: number; width: number }[];
}

export function feedLayout(view: FeedView, theme: Theme): FeedLayout {
  const { height, padding } = theme;
  const { cardWidth, cardXs, columns } = cardRow(view.items.length, theme, MAX_CARD_WIDTH, CARD_GAP);
  const cardsTop = padding + HEADER_HEIGHT + HEADER_GAP;
  const withPictures = view.items.some((item) => item.image !== null);
  // Landscape (16:10), as blog and news pictures mostly are; never more than half the card's height.
  const imageHeight = withPictures ? Math.max(0, Math.min(Math.round(cardWidth * 0.625), Math.round((height - cardsTop - padding) / 2))) : 0;
  return { headerBottom: cardsTop - HEADER_GAP / 2, cardsTop, cardWidth, imageHeight, cardXs, columns };
}

/**
 * The block's title and a small button on top, then one card per item in a
 * row: its picture (a flat panel when it has none and others do), the date
 * and source on one small line, the title in bold over up to three lines,
 * and the summary in the lines left above the bottom padding.
 */
export function drawFeed(ctx: Context, view: FeedView, theme: Theme, env: DrawEnv): void {
  drawTitleBar(ctx, view, theme, env, HEADER_HEIGHT);
  const layout = feedLayout(view, theme);
  view.items.forEach((item, index) => drawCard(ctx, item, layout.cardXs[index] as number, layout, theme, env));
}

function drawCard(ctx: Context, item: FeedCardView, x: number, layout: FeedLayout, theme: Theme, env: DrawEnv): void {
  const { height, padding, colors, fontSizes } = theme;
  const width = layout.cardWidth;
  let y = layout.cardsTop;
  if (layout.imageHeight > 0) {
    if (item.image) drawProductImage(ctx, item.image, x, y, width, layout.imageHeight, theme, env);
    else fillRoundRect(ctx, x, y, width, layout.imageHeight, Math.min(theme.radius, width / 4), colors.placeholder);
    y += layout.imageHeight + TEXT_GAP + 2;
  }

  y += drawMetaLine(ctx, item, x, y, width, textStyle(theme, fontSizes.small, colors.mutedText, 600), theme, env);

  const headingStyle = textStyle(theme, fontSizes.title, colors.text, 700, Math.max(fontSizes.min, fontSizes.title - 2));
  const heading = layoutParagraph(ctx, item.title, width, 3, headingStyle);
  paintParagraph(ctx, heading, { x, y, width, align: 'start' }, headingStyle, env.log);
  y += heading.height + 4;

  const lineHeight = fontSizes.body * LINE_HEIGHT;
  const lines = Math.min(5, Math.floor((height - padding - y) / lineHeight));
  if (item.summary && lines > 0) {
    const summaryStyle = textStyle(theme, fontSizes.body, colors.mutedText, 400);
    paintParagraph(ctx, layoutParagraph(ctx, item.summary, width, lines, summaryStyle), { x, y, width, align: 'start' }, summaryStyle, env.log);
  }
}

/** The height the date-and-source line takes: none when the item has neither. */
export function metaHeight(item: FeedCardView, theme: Theme): number {
  return item.date || item.source ? theme.fontSizes.small * LINE_HEIGHT + 4 : 0;
}

/**
 * The date and the source on one small line at (x, y), `width` wide, a dot between them (the
 * wide and the narrow picture's, draw-narrow.ts); returns the height it took (metaHeight).
 */
export function drawMetaLine(ctx: Context, item: FeedCardView, x: number, y: number, width: number, style: TextStyle, theme: Theme, env: DrawEnv): number {
  if (!item.date && !item.source) return 0;
  let cursor = x;
  if (item.date) cursor += drawText(ctx, item.date, { x: cursor, y, width: x + width - cursor }, style, env.log).width;
  if (item.date && item.source) {
    // A middle dot drawn as a shape, not a string: the picture shows only the view's strings.
    ctx.fillStyle = theme.colors.mutedText;
    ctx.beginPath();
    ctx.arc(cursor + 7, y + (theme.fontSizes.small * LINE_HEIGHT) / 2 + 0.5, 1.5, 0, Math.PI * 2);
    ctx.fill();
    cursor += 14;
  }
  if (item.source) drawText(ctx, item.source, { x: cursor, y, width: Math.max(0, x + width - cursor) }, style, env.log);
  return metaHeight(item, theme);
}
