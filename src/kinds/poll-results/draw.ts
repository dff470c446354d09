import type { DrawEnv } from '../../render/draw-env';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, drawText, fillRoundRect, textDirection, type Context } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { PollResultsView } from './index';

const BAR_HEIGHT = 10;
const BUTTON_HEIGHT = 36;
const GAP = 8;

/**
 * The question, then per answer its label and percentage on one line with
 * its bar beneath (the bar's length is the percentage of the full width, the
 * same figure the JSON carries), then the vote count and the button. Rows
 * share the height left between the question and the footer.
 */
export function drawPollResults(ctx: Context, view: PollResultsView, theme: Theme, env: DrawEnv): void {
  const { width, height, padding, colors, fontSizes } = theme;
  const rtl = textDirection(view.question) === 'rtl';
  const align = rtl ? 'right' : 'left';
  const columnWidth = width - 2 * padding;
  const titleStyle = textStyle(theme, fontSizes.title, colors.text, 700);
  const labelStyle = textStyle(theme, fontSizes.body, colors.text, 400);
  const percentStyle = textStyle(theme, fontSizes.body, colors.text, 700);
  const mutedStyle = textStyle(theme, fontSizes.small, colors.mutedText, 400);

  let y = padding;
  drawText(ctx, view.question, { x: padding, y, width: columnWidth, align }, titleStyle, env.log);
  y += Math.round(fontSizes.title * 1.25) + 2 * GAP;

  const footer = Math.round(fontSizes.small * 1.25) + GAP + BUTTON_HEIGHT + padding;
  const rowHeight = Math.max(fontSizes.body + BAR_HEIGHT + 6, Math.floor((height - y - footer) / Math.max(1, view.answers.length)));
  const percentWidth = Math.round(fontSizes.body * 3.2);
  for (const answer of view.answers) {
    const labelX = rtl ? padding + percentWidth + GAP : padding;
    const percentX = rtl ? padding : width - padding - percentWidth;
    drawText(ctx, answer.label, { x: labelX, y, width: columnWidth - percentWidth - GAP, align }, labelStyle, env.log);
    drawText(ctx, answer.percentText, { x: percentX, y, width: percentWidth, align: rtl ? 'left' : 'right' }, percentStyle, env.log);
    const barY = y + Math.round(fontSizes.body * 1.25) + 2;
    fillRoundRect(ctx, padding, barY, columnWidth, BAR_HEIGHT, BAR_HEIGHT / 2, colors.progressTrack);
    const filled = Math.round((columnWidth * Math.min(100, Math.max(0, answer.percent))) / 100);
    if (filled > 0) fillRoundRect(ctx, rtl ? padding + columnWidth - filled : padding, barY, filled, BAR_HEIGHT, Math.min(BAR_HEIGHT / 2, filled / 2), colors.progressFill);
    y += rowHeight;
  }

  const footerY = height - footer;
  drawText(ctx, view.totalText, { x: padding, y: footerY, width: columnWidth, align }, mutedStyle, env.log);
  drawLabel(ctx, view.cta.label, rtl ? width - padding : padding, footerY + Math.round(fontSizes.small * 1.25) + GAP, align, buttonShape(theme, columnWidth, BUTTON_HEIGHT), env.log);
}
