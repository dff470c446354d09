import type { DrawEnv } from '../../render/draw-env';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, drawText, fillRoundRect, type Context } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { LoyaltyView } from './index';

/**
 * Greeting and tier pill on top, the balance large with the button beside it,
 * then the progress bar with the progress text and percentage under it.
 */
export function drawLoyalty(ctx: Context, view: LoyaltyView, theme: Theme, env: DrawEnv): void {
  const { width, height, padding, colors, fontSizes } = theme;
  const innerWidth = width - 2 * padding;
  const greetingLine = fontSizes.body * 1.25;
  const balanceLine = fontSizes.points * 1.25;
  const barHeight = 10;
  const footLine = fontSizes.small * 1.4;
  const total = greetingLine + 8 + balanceLine + 18 + barHeight + 8 + footLine;
  let y = Math.max(padding / 2, Math.round((height - total) / 2));

  // Tier pill at the right of the greeting line.
  const pill = {
    height: 24,
    paddingX: 12,
    maxWidth: Math.round(innerWidth * 0.4),
    radius: 12,
    background: colors.accent,
    border: null,
    text: textStyle(theme, fontSizes.small, colors.buttonText, 700),
  };
  const tier = drawLabel(ctx, view.tier, width - padding, y + (greetingLine - pill.height) / 2, 'right', pill, env.log);
  drawText(ctx, view.greeting, { x: padding, y, width: tier.x - padding - 12, align: 'start' }, textStyle(theme, fontSizes.body, colors.text, 600), env.log);
  y += greetingLine + 8;

  const buttonHeight = 44;
  const button = drawLabel(ctx, view.cta.label, width - padding, y + (balanceLine - buttonHeight) / 2, 'right', buttonShape(theme, Math.round(innerWidth * 0.45), buttonHeight), env.log);
  drawText(
    ctx,
    view.balance,
    { x: padding, y, width: button.x - padding - 16 },
    textStyle(theme, fontSizes.points, colors.text, 700, Math.round(fontSizes.points * 0.6)),
    env.log,
  );
  y += balanceLine + 18;

  fillRoundRect(ctx, padding, y, innerWidth, barHeight, barHeight / 2, colors.progressTrack);
  const progress = Number.isFinite(view.progress) ? Math.min(1, Math.max(0, view.progress)) : 0;
  if (progress > 0) fillRoundRect(ctx, padding, y, Math.max(barHeight, innerWidth * progress), barHeight, barHeight / 2, colors.progressFill);
  y += barHeight + 8;

  const percent = drawText(
    ctx,
    view.progressPercent,
    { x: padding, y, width: innerWidth, height: footLine, align: 'right' },
    textStyle(theme, fontSizes.small, colors.text, 600),
    env.log,
  );
  drawText(
    ctx,
    view.progressText,
    { x: padding, y, width: percent.x - padding - 12, height: footLine },
    textStyle(theme, fontSizes.small, colors.mutedText, 400),
    env.log,
  );
}
