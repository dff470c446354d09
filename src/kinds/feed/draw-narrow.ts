import type { DrawEnv } from '../../render/draw-env';
import { measuringContext } from '../../render/measuring-context';
import { textStyle } from '../../render/shapes';
import { fillRoundRect, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { NarrowDrawing, PartLayout } from '../kind';
import { drawProductImage } from '../shared/draw-product-card';
import { stackedRows } from '../shared/stacked-rows';
import { drawMetaLine, metaHeight } from './draw';
import { drawNarrowTitleBar, layoutNarrowTitleBar, type NarrowTitleBar } from '../shared/title-bar';
import type { FeedCardView, FeedView } from './index';

/**
 * The feed's phone picture (`?layout=narrow`, render/layout.ts): the title and the button on top,
 * then one item per row, stacked — its picture (when any item has one) on the reading side, the
 * date and source, the title over up to three lines and the summary under it — so three or four
 * cards never shrink into a 600 px row. The rows are the picture's parts, as recommendations'.
 */

const PICTURE_WIDTH = 96;
const PICTURE_HEIGHT = 72;
const COLUMN_GAP = 14;
const ROW_GAP = 16;
const HEADER_GAP = 16;
const SUMMARY_LINES = 6;

interface NarrowItem {
  item: FeedCardView;
  y: number;
  height: number;
  title: ParagraphLayout;
  summary: ParagraphLayout | null;
}

interface NarrowFeedLayout extends NarrowTitleBar {
  itemTitleStyle: TextStyle;
  summaryStyle: TextStyle;
  metaStyle: TextStyle;
  /** 0 when no item has a picture: the text takes the whole width. */
  pictureWidth: number;
  items: NarrowItem[];
  parts: PartLayout;
  height: number;
}

function narrowLayout(ctx: Context, view: FeedView, theme: Theme): NarrowFeedLayout {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  const header = layoutNarrowTitleBar(ctx, view, theme);
  const { headerHeight } = header;

  const pictureWidth = view.items.some((item) => item.image !== null) ? PICTURE_WIDTH : 0;
  const columnWidth = inner - (pictureWidth > 0 ? pictureWidth + COLUMN_GAP : 0);
  const itemTitleStyle = textStyle(theme, Math.max(fontSizes.title, 16), colors.text, 700, fontSizes.min);
  const summaryStyle = textStyle(theme, fontSizes.body, colors.mutedText, 400);
  const metaStyle = textStyle(theme, fontSizes.small, colors.mutedText, 600);
  let y = padding + headerHeight + HEADER_GAP;
  const items = view.items.map((item) => {
    const itemTitle = layoutParagraph(ctx, item.title, columnWidth, 3, itemTitleStyle);
    const summary = item.summary ? layoutParagraph(ctx, item.summary, columnWidth, SUMMARY_LINES, summaryStyle) : null;
    const text = metaHeight(item, theme) + itemTitle.height + (summary ? 4 + summary.height : 0);
    const placed = { item, y, height: Math.max(pictureWidth > 0 ? PICTURE_HEIGHT : 0, Math.ceil(text)), title: itemTitle, summary };
    y += placed.height + ROW_GAP;
    return placed;
  });
  const height = Math.ceil(y - ROW_GAP + padding);
  const headerBottom = padding + headerHeight + HEADER_GAP / 2;
  const rows = stackedRows(items.map((placed) => placed.y), headerBottom, height, ROW_GAP);
  return { ...header, itemTitleStyle, summaryStyle, metaStyle, pictureWidth, items, parts: { headerBottom, columns: [], rows }, height };
}

function drawNarrowFeed(ctx: Context, view: FeedView, theme: Theme, env: DrawEnv): void {
  const { width, padding, colors } = theme;
  const inner = width - 2 * padding;
  const layout = narrowLayout(ctx, view, theme);
  const rtl = textDirection(view.title) === 'rtl';
  drawNarrowTitleBar(ctx, view, layout, theme, env);

  const pictureX = rtl ? width - padding - layout.pictureWidth : padding;
  const columnX = rtl || layout.pictureWidth === 0 ? padding : padding + layout.pictureWidth + COLUMN_GAP;
  const columnWidth = inner - (layout.pictureWidth > 0 ? layout.pictureWidth + COLUMN_GAP : 0);
  layout.items.forEach((placed, index) => {
    if (index > 0) {
      ctx.fillStyle = colors.border;
      ctx.fillRect(padding, Math.round(placed.y - ROW_GAP / 2), inner, 1);
    }
    const { item } = placed;
    if (layout.pictureWidth > 0) {
      if (item.image) drawProductImage(ctx, item.image, pictureX, placed.y, layout.pictureWidth, PICTURE_HEIGHT, theme, env);
      else fillRoundRect(ctx, pictureX, placed.y, layout.pictureWidth, PICTURE_HEIGHT, Math.min(theme.radius, layout.pictureWidth / 4), colors.placeholder);
    }
    let y = placed.y;
    y += drawMetaLine(ctx, item, columnX, y, columnWidth, layout.metaStyle, theme, env);
    paintParagraph(ctx, placed.title, { x: columnX, y, width: columnWidth, align: 'start' }, layout.itemTitleStyle, env.log);
    y += placed.title.height + 4;
    if (placed.summary) paintParagraph(ctx, placed.summary, { x: columnX, y, width: columnWidth, align: 'start' }, layout.summaryStyle, env.log);
  });
}

export const feedNarrow: NarrowDrawing<FeedView> = {
  height: (view, theme) => narrowLayout(measuringContext(), view, theme).height,
  draw: drawNarrowFeed,
  parts: (view, theme) => narrowLayout(measuringContext(), view, theme).parts,
};
