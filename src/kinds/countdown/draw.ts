import type { DrawEnv } from '../../render/draw-env';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawFigures, drawLabel, drawText, fillRoundRect, layoutParagraph, paintParagraph, textDirection, type Context } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { Ticks } from '../kind';
import type { CountdownView } from './index';

/** Below this width the four boxes do not fit beside the text: the one-line `text` is shown instead. */
const COMPACT_BELOW = 480;

/**
 * Running: headline, deadline line and button on the left, four boxed
 * figures with their unit names under them on the right. Expired: a quiet
 * panel with the headline, the deadline, the message and the button, centred,
 * and no figures, so it reads differently at a glance.
 */
export function drawCountdown(ctx: Context, view: CountdownView, theme: Theme, env: DrawEnv): void {
  if (view.state === 'expired' || view.units.length === 0) drawExpired(ctx, view, theme, env);
  else if (theme.width < COMPACT_BELOW) drawCompact(ctx, view, theme, env);
  else drawRunning(ctx, view, theme, env);
}

/** The boxes of the four figures, in CSS pixels; the label of each goes under its box. */
interface FigureLayout {
  boxes: { x: number; y: number; width: number; height: number }[];
  /** Space between two boxes. */
  gap: number;
  labelGap: number;
  /** Left edge of the first box: the text column ends before it. */
  boxesX: number;
}

function figureLayout(view: CountdownView, theme: Theme): FigureLayout {
  const { width, height, padding, fontSizes } = theme;
  const figureSize = fontSizes.figure;
  const gap = Math.round(figureSize * 0.34);
  const boxWidth = Math.round(figureSize * 2.15);
  const boxHeight = Math.round(figureSize * 2);
  const labelGap = 6;
  const count = view.units.length;
  const boxesWidth = count * boxWidth + (count - 1) * gap;
  const boxesHeight = boxHeight + labelGap + fontSizes.small * 1.25;
  const boxesX = width - padding - boxesWidth;
  const boxesY = Math.round((height - boxesHeight) / 2);
  // Right-to-left unit names read right to left: the largest unit goes on the right.
  const rtl = textDirection(view.units[0]?.label ?? '') === 'rtl';
  const boxes = view.units.map((_, index) => ({ x: boxesX + (rtl ? count - 1 - index : index) * (boxWidth + gap), y: boxesY, width: boxWidth, height: boxHeight }));
  return { boxes, gap, labelGap, boxesX };
}

/** One unit's figures in its box: the one drawing of them, whole pictures and GIF ticks alike. */
function drawUnitFigures(ctx: Context, value: string, box: FigureLayout['boxes'][number], theme: Theme, env: DrawEnv): void {
  const figureSize = theme.fontSizes.figure;
  drawFigures(
    ctx,
    value,
    { x: box.x + 4, y: box.y, width: box.width - 8, height: box.height, align: 'center' },
    { ...textStyle(theme, figureSize, theme.colors.figureText, 700), minSize: Math.round(figureSize * 0.5) },
    env.log,
  );
}

function drawRunning(ctx: Context, view: CountdownView, theme: Theme, env: DrawEnv): void {
  const { padding, colors, fontSizes } = theme;
  const { boxes, gap, labelGap, boxesX } = figureLayout(view, theme);
  view.units.forEach((unit, index) => {
    const box = boxes[index] as FigureLayout['boxes'][number];
    fillRoundRect(ctx, box.x, box.y, box.width, box.height, theme.radius, colors.figureBackground);
    // The still of a GIF (countdownTicks) has no figures: they are drawn over it, frame by frame.
    if (unit.value !== '') drawUnitFigures(ctx, unit.value, box, theme, env);
    drawText(
      ctx,
      unit.label,
      { x: box.x - gap / 2, y: box.y + box.height + labelGap, width: box.width + gap, align: 'center' },
      textStyle(theme, fontSizes.small, colors.mutedText, 400),
      env.log,
    );
  });

  const columnWidth = boxesX - padding - Math.round(padding * 1.25);
  drawTextStack(ctx, view, theme, env, { x: padding, width: columnWidth, align: 'left' });
}

/**
 * A running countdown as a GIF's still and ticks (Animation.ticks): the
 * picture without figures (empty boxes, unit names, text column, button) and
 * one part per box, so from second to second only the boxes whose figures
 * changed are drawn again: the seconds every frame, the minutes once a
 * minute. The narrow layout shows the one-line `text`, whose width changes
 * the text column: it is drawn whole, as is the expired state.
 */
export function countdownTicks(view: CountdownView, theme: Theme): Ticks<CountdownView> | null {
  if (view.state !== 'running' || view.units.length === 0 || theme.width < COMPACT_BELOW) return null;
  const { boxes } = figureLayout(view, theme);
  return {
    // secondsLeft and text are not drawn in this layout; constant, they let the stills of two seconds compare equal.
    still: { ...view, secondsLeft: 0, text: '', units: view.units.map((unit) => ({ ...unit, value: '' })) },
    parts: view.units.map((unit, index) => {
      const box = boxes[index] as FigureLayout['boxes'][number];
      return { box, shows: unit.value, draw: (ctx: Context, env: DrawEnv) => drawUnitFigures(ctx, unit.value, box, theme, env) };
    }),
  };
}

/** Narrow images: headline, the one-line countdown, the deadline line and the button, centred. */
function drawCompact(ctx: Context, view: CountdownView, theme: Theme, env: DrawEnv): void {
  drawTextStack(ctx, view, theme, env, { x: theme.padding, width: theme.width - 2 * theme.padding, align: 'center', clock: true });
}

function drawExpired(ctx: Context, view: CountdownView, theme: Theme, env: DrawEnv): void {
  ctx.fillStyle = theme.colors.surface;
  ctx.fillRect(0, 0, theme.width, theme.height);
  drawTextStack(ctx, view, theme, env, { x: theme.padding, width: theme.width - 2 * theme.padding, align: 'center', expired: true });
}

interface StackOptions {
  x: number;
  width: number;
  align: 'left' | 'center';
  /** Show the one-line `text` under the headline (compact layout). */
  clock?: boolean;
  expired?: boolean;
}

/**
 * The text column, centred vertically: headline, (clock), deadline line(s),
 * button. The deadline is shown on its own line unless the message already
 * contains it, so the image always carries the deadline the JSON carries.
 */
function drawTextStack(ctx: Context, view: CountdownView, theme: Theme, env: DrawEnv, options: StackOptions): void {
  const { height, padding, colors, fontSizes } = theme;
  const lines: { text: string; style: ReturnType<typeof textStyle>; maxLines: number; gapAfter: number }[] = [];
  const headlineStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.72)));
  lines.push({ text: view.headline, style: headlineStyle, maxLines: 2, gapAfter: 6 });
  if (options.clock && view.text) lines.push({ text: view.text, style: textStyle(theme, fontSizes.figure, colors.text, 700), maxLines: 1, gapAfter: 6 });
  const deadlineShown = view.message.includes(view.deadlineText);
  const detail = textStyle(theme, fontSizes.body - 1, colors.mutedText, 400);
  if (options.expired) {
    if (!deadlineShown && view.deadlineText) lines.push({ text: view.deadlineText, style: textStyle(theme, fontSizes.small, colors.mutedText, 400), maxLines: 1, gapAfter: 6 });
    lines.push({ text: view.message, style: { ...detail, color: colors.text }, maxLines: 2, gapAfter: 0 });
  } else {
    lines.push({ text: view.message, style: detail, maxLines: 2, gapAfter: 0 });
    if (!deadlineShown && view.deadlineText) lines.push({ text: view.deadlineText, style: detail, maxLines: 1, gapAfter: 0 });
  }

  const buttonHeight = 40;
  const buttonGap = 14;
  const available = height - 2 * padding - buttonHeight - buttonGap;
  let layouts = lines.map((line) => layoutParagraph(ctx, line.text, options.width, line.maxLines, line.style));
  const total = (): number => layouts.reduce((sum, layout, i) => sum + layout.height + (lines[i]?.gapAfter ?? 0), 0);
  if (total() > available) {
    // Not enough height for two-line text: everything on one line (shrunk, then ellipsised).
    layouts = lines.map((line) => layoutParagraph(ctx, line.text, options.width, 1, line.style));
  }
  let y = Math.max(padding / 2, Math.round((height - total() - buttonGap - buttonHeight) / 2));
  layouts.forEach((layout, i) => {
    const line = lines[i] as (typeof lines)[number];
    paintParagraph(ctx, layout, { x: options.x, y, width: options.width, align: options.align === 'left' ? 'start' : 'center' }, line.style, env.log);
    y += layout.height + line.gapAfter;
  });
  const anchor = options.align === 'center' ? options.x + options.width / 2 : options.x;
  drawLabel(ctx, view.cta.label, anchor, y + buttonGap, options.align, buttonShape(theme, options.width, buttonHeight), env.log);
}
