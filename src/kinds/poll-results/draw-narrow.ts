import type { DrawEnv } from '../../render/draw-env';
import { measuringContext } from '../../render/measuring-context';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, drawText, fillRoundRect, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { NarrowDrawing } from '../kind';
import type { PollResultsView } from './index';

/**
 * A poll's results as a phone picture (`?layout=narrow`, render/layout.ts): the wide picture's
 * stack — question, one row per answer (label and percentage over its bar), the vote count and the
 * button — with the question over up to three lines, each answer's label over up to two, and the
 * picture as tall as its rows need instead of rows squeezed into a fixed height.
 */

const BAR_HEIGHT = 10;
const BUTTON_HEIGHT = 44;
const GAP = 8;
const ROW_GAP = 14;

interface NarrowPollLayout {
  question: ParagraphLayout;
  questionStyle: TextStyle;
  labelStyle: TextStyle;
  percentWidth: number;
  rows: { label: ParagraphLayout; y: number; barY: number }[];
  totalY: number;
  buttonY: number;
  height: number;
}

function narrowLayout(ctx: Context, view: PollResultsView, theme: Theme): NarrowPollLayout {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  const questionStyle = textStyle(theme, fontSizes.title, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.title * 0.8)));
  const question = layoutParagraph(ctx, view.question, inner, 3, questionStyle);
  let y = padding + question.height + 2 * GAP;
  const labelStyle = textStyle(theme, fontSizes.body, colors.text, 400);
  const percentWidth = Math.round(fontSizes.body * 3.4);
  const rows = view.answers.map((answer) => {
    const label = layoutParagraph(ctx, answer.label, inner - percentWidth - GAP, 2, labelStyle);
    const row = { label, y, barY: y + Math.max(label.height, fontSizes.body * 1.25) + 4 };
    y = row.barY + BAR_HEIGHT + ROW_GAP;
    return row;
  });
  const totalY = y;
  y += Math.round(fontSizes.small * 1.25) + GAP;
  const buttonY = y;
  y += BUTTON_HEIGHT + padding;
  return { question, questionStyle, labelStyle, percentWidth, rows, totalY, buttonY, height: Math.ceil(y) };
}

function drawNarrowPollResults(ctx: Context, view: PollResultsView, theme: Theme, env: DrawEnv): void {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  const layout = narrowLayout(ctx, view, theme);
  const rtl = textDirection(view.question) === 'rtl';
  const align = rtl ? 'right' : 'left';
  paintParagraph(ctx, layout.question, { x: padding, y: padding, width: inner, align }, layout.questionStyle, env.log);

  const percentStyle = textStyle(theme, fontSizes.body, colors.text, 700);
  view.answers.forEach((answer, index) => {
    const row = layout.rows[index] as NarrowPollLayout['rows'][number];
    const labelX = rtl ? padding + layout.percentWidth + GAP : padding;
    const percentX = rtl ? padding : width - padding - layout.percentWidth;
    paintParagraph(ctx, row.label, { x: labelX, y: row.y, width: inner - layout.percentWidth - GAP, align }, layout.labelStyle, env.log);
    drawText(ctx, answer.percentText, { x: percentX, y: row.y, width: layout.percentWidth, align: rtl ? 'left' : 'right' }, percentStyle, env.log);
    fillRoundRect(ctx, padding, row.barY, inner, BAR_HEIGHT, BAR_HEIGHT / 2, colors.progressTrack);
    const filled = Math.round((inner * Math.min(100, Math.max(0, answer.percent))) / 100);
    if (filled > 0) fillRoundRect(ctx, rtl ? padding + inner - filled : padding, row.barY, filled, BAR_HEIGHT, Math.min(BAR_HEIGHT / 2, filled / 2), colors.progressFill);
  });

  drawText(ctx, view.totalText, { x: padding, y: layout.totalY, width: inner, align }, textStyle(theme, fontSizes.small, colors.mutedText, 400), env.log);
  drawLabel(ctx, view.cta.label, width / 2, layout.buttonY, 'center', { ...buttonShape(theme, inner, BUTTON_HEIGHT), minWidth: inner }, env.log);
}

export const pollResultsNarrow: NarrowDrawing<PollResultsView> = {
  height: (view, theme) => narrowLayout(measuringContext(), view, theme).height,
  draw: drawNarrowPollResults,
};
