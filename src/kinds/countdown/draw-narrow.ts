import type { DrawEnv } from '../../render/draw-env';
import { measuringContext } from '../../render/measuring-context';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawFigures, drawLabel, drawText, fillRoundRect, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { NarrowDrawing, Ticks } from '../kind';
import { drawCountdown } from './draw';
import type { CountdownView } from './index';

/**
 * The countdown's phone picture (`?layout=narrow`, render/layout.ts): the headline, then the four
 * boxes across the width with larger figures and their unit names under them, then the message,
 * the deadline and a full-width button, all centred. The boxes say what the one-line `text` says,
 * so it is left out, as in the wide picture. The expired state is the wide one's quiet panel,
 * drawn in the narrow theme's larger type.
 */

const BOX_GAP = 8;
const BOX_HEIGHT = 68;
const LABEL_GAP = 6;
const SECTION_GAP = 14;
const BUTTON_HEIGHT = 44;
/** Tall enough for the expired panel's headline, deadline and message at two lines each. */
const EXPIRED_HEIGHT = 240;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface NarrowCountdownLayout {
  headline: ParagraphLayout;
  headlineStyle: TextStyle;
  headlineY: number;
  boxes: Box[];
  labelStyle: TextStyle;
  /** The message, then the deadline when the message does not already carry it. */
  details: { layout: ParagraphLayout; style: TextStyle; y: number }[];
  buttonY: number;
  height: number;
}

function running(view: CountdownView): boolean {
  return view.state === 'running' && view.units.length > 0;
}

function figureSize(theme: Theme): number {
  return Math.max(theme.fontSizes.figure, 32);
}

function narrowLayout(ctx: Context, view: CountdownView, theme: Theme): NarrowCountdownLayout {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  let y = padding;

  const headlineStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.72)));
  const headline = layoutParagraph(ctx, view.headline, inner, 2, headlineStyle);
  const headlineY = y;
  y += headline.height + SECTION_GAP;

  const count = view.units.length;
  const boxWidth = Math.floor((inner - BOX_GAP * (count - 1)) / Math.max(1, count));
  const boxesX = padding + Math.round((inner - (boxWidth * count + BOX_GAP * (count - 1))) / 2);
  // Right-to-left unit names read right to left: the largest unit goes on the right.
  const rtl = textDirection(view.units[0]?.label ?? '') === 'rtl';
  const boxes = view.units.map((_, index) => ({ x: boxesX + (rtl ? count - 1 - index : index) * (boxWidth + BOX_GAP), y, width: boxWidth, height: BOX_HEIGHT }));
  const labelStyle = textStyle(theme, fontSizes.small, colors.mutedText, 400);
  y += BOX_HEIGHT + LABEL_GAP + Math.ceil(fontSizes.small * 1.25) + SECTION_GAP;

  const detailStyle = textStyle(theme, fontSizes.body - 1, colors.mutedText, 400);
  const texts = view.message.includes(view.deadlineText) || !view.deadlineText ? [view.message] : [view.message, view.deadlineText];
  const details = texts.map((text) => {
    const layout = layoutParagraph(ctx, text, inner, 2, detailStyle);
    const placed = { layout, style: detailStyle, y };
    y += layout.height + 4;
    return placed;
  });
  y += SECTION_GAP - 4;
  const buttonY = y;
  y += BUTTON_HEIGHT + padding;
  return { headline, headlineStyle, headlineY, boxes, labelStyle, details, buttonY, height: Math.ceil(y) };
}

function drawUnitFigures(ctx: Context, value: string, box: Box, theme: Theme, env: DrawEnv): void {
  const size = figureSize(theme);
  drawFigures(
    ctx,
    value,
    { x: box.x + 4, y: box.y, width: box.width - 8, height: box.height, align: 'center' },
    // Shrinks only as far as the narrow floor, never to half size as the wide boxes may.
    textStyle(theme, size, theme.colors.figureText, 700, Math.max(theme.fontSizes.min, Math.round(size * 0.6))),
    env.log,
  );
}

function drawNarrowCountdown(ctx: Context, view: CountdownView, theme: Theme, env: DrawEnv): void {
  if (!running(view)) {
    drawCountdown(ctx, view, theme, env);
    return;
  }
  const { width, padding, colors } = theme;
  const inner = width - 2 * padding;
  const layout = narrowLayout(ctx, view, theme);
  paintParagraph(ctx, layout.headline, { x: padding, y: layout.headlineY, width: inner, align: 'center' }, layout.headlineStyle, env.log);
  view.units.forEach((unit, index) => {
    const box = layout.boxes[index] as Box;
    fillRoundRect(ctx, box.x, box.y, box.width, box.height, theme.radius, colors.figureBackground);
    // The still of a GIF (narrowTicks) has no figures: they are drawn over it, frame by frame.
    if (unit.value !== '') drawUnitFigures(ctx, unit.value, box, theme, env);
    drawText(ctx, unit.label, { x: box.x - BOX_GAP / 2, y: box.y + box.height + LABEL_GAP, width: box.width + BOX_GAP, align: 'center' }, layout.labelStyle, env.log);
  });
  for (const detail of layout.details) paintParagraph(ctx, detail.layout, { x: padding, y: detail.y, width: inner, align: 'center' }, detail.style, env.log);
  drawLabel(ctx, view.cta.label, width / 2, layout.buttonY, 'center', { ...buttonShape(theme, inner, BUTTON_HEIGHT), minWidth: inner }, env.log);
}

/** Like the wide picture's ticks (countdownTicks): the still once, then only the boxes whose figures changed. */
function narrowTicks(view: CountdownView, theme: Theme): Ticks<CountdownView> | null {
  if (!running(view)) return null;
  const { boxes } = narrowLayout(measuringContext(), view, theme);
  return {
    still: { ...view, secondsLeft: 0, text: '', units: view.units.map((unit) => ({ ...unit, value: '' })) },
    parts: view.units.map((unit, index) => {
      const box = boxes[index] as Box;
      return { box, shows: unit.value, draw: (ctx: Context, env: DrawEnv) => drawUnitFigures(ctx, unit.value, box, theme, env) };
    }),
  };
}

export const countdownNarrow: NarrowDrawing<CountdownView> = {
  height: (view, theme) => (running(view) ? narrowLayout(measuringContext(), view, theme).height : EXPIRED_HEIGHT),
  draw: drawNarrowCountdown,
  ticks: narrowTicks,
  notShown: ['text'],
};
