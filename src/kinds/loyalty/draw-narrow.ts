import type { DrawEnv } from '../../render/draw-env';
import { measuringContext } from '../../render/measuring-context';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, drawText, fillRoundRect, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { NarrowDrawing } from '../kind';
import type { LoyaltyView } from './index';

/**
 * The loyalty balance's phone picture (`?layout=narrow`, render/layout.ts): the tier pill, the
 * greeting over up to two lines, the balance across the width, the progress bar with its text and
 * percentage under it, and a full-width button, stacked, where the wide picture sets the button
 * beside the balance.
 */

const PILL_HEIGHT = 26;
const BAR_HEIGHT = 10;
const BUTTON_HEIGHT = 44;
const GAP = 10;

interface NarrowLoyaltyLayout {
  greeting: ParagraphLayout;
  greetingStyle: TextStyle;
  greetingY: number;
  balanceY: number;
  balanceLine: number;
  barY: number;
  progress: ParagraphLayout;
  progressStyle: TextStyle;
  percentWidth: number;
  footY: number;
  buttonY: number;
  height: number;
}

function percentStyle(theme: Theme): TextStyle {
  return textStyle(theme, theme.fontSizes.small, theme.colors.text, 600);
}

function narrowLayout(ctx: Context, view: LoyaltyView, theme: Theme): NarrowLoyaltyLayout {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  let y = padding + PILL_HEIGHT + GAP;
  const greetingStyle = textStyle(theme, fontSizes.body, colors.text, 600);
  const greeting = layoutParagraph(ctx, view.greeting, inner, 2, greetingStyle);
  const greetingY = y;
  y += greeting.height + 4;
  const balanceLine = Math.round(fontSizes.points * 1.25);
  const balanceY = y;
  y += balanceLine + GAP;
  const barY = y;
  y += BAR_HEIGHT + 8;
  // The percentage keeps its own room at the line's end; the text wraps beside it.
  const percentWidth = Math.ceil(fontSizes.small * 3.6);
  const progressStyle = textStyle(theme, fontSizes.small, colors.mutedText, 400);
  const progress = layoutParagraph(ctx, view.progressText, inner - percentWidth - 12, 2, progressStyle);
  const footY = y;
  y += Math.max(progress.height, fontSizes.small * 1.25) + GAP + 6;
  const buttonY = y;
  y += BUTTON_HEIGHT + padding;
  return { greeting, greetingStyle, greetingY, balanceY, balanceLine, barY, progress, progressStyle, percentWidth, footY, buttonY, height: Math.ceil(y) };
}

function drawNarrowLoyalty(ctx: Context, view: LoyaltyView, theme: Theme, env: DrawEnv): void {
  const { width, padding, colors, fontSizes } = theme;
  const inner = width - 2 * padding;
  const layout = narrowLayout(ctx, view, theme);
  const rtl = textDirection(view.greeting) === 'rtl';
  const align = rtl ? 'right' : 'left';

  const pill = {
    height: PILL_HEIGHT,
    paddingX: 12,
    maxWidth: inner,
    radius: PILL_HEIGHT / 2,
    background: colors.accent,
    border: null,
    text: textStyle(theme, fontSizes.small, colors.buttonText, 700),
  };
  drawLabel(ctx, view.tier, rtl ? width - padding : padding, padding, align, pill, env.log);
  paintParagraph(ctx, layout.greeting, { x: padding, y: layout.greetingY, width: inner, align: 'start' }, layout.greetingStyle, env.log);
  drawText(
    ctx,
    view.balance,
    { x: padding, y: layout.balanceY, width: inner, height: layout.balanceLine, align: 'start' },
    textStyle(theme, fontSizes.points, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.points * 0.6))),
    env.log,
  );

  fillRoundRect(ctx, padding, layout.barY, inner, BAR_HEIGHT, BAR_HEIGHT / 2, colors.progressTrack);
  const progress = Number.isFinite(view.progress) ? Math.min(1, Math.max(0, view.progress)) : 0;
  if (progress > 0) {
    const filled = Math.max(BAR_HEIGHT, inner * progress);
    fillRoundRect(ctx, rtl ? padding + inner - filled : padding, layout.barY, filled, BAR_HEIGHT, BAR_HEIGHT / 2, colors.progressFill);
  }

  const percentX = rtl ? padding : width - padding - layout.percentWidth;
  drawText(ctx, view.progressPercent, { x: percentX, y: layout.footY, width: layout.percentWidth, height: fontSizes.small * 1.25, align: rtl ? 'left' : 'right' }, percentStyle(theme), env.log);
  const textX = rtl ? padding + layout.percentWidth + 12 : padding;
  paintParagraph(ctx, layout.progress, { x: textX, y: layout.footY, width: inner - layout.percentWidth - 12, align: 'start' }, layout.progressStyle, env.log);

  drawLabel(ctx, view.cta.label, width / 2, layout.buttonY, 'center', { ...buttonShape(theme, inner, BUTTON_HEIGHT), minWidth: inner }, env.log);
}

export const loyaltyNarrow: NarrowDrawing<LoyaltyView> = {
  height: (view, theme) => narrowLayout(measuringContext(), view, theme).height,
  draw: drawNarrowLoyalty,
};
