import type { DrawEnv } from '../../render/draw-env';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, layoutParagraph, paintParagraph, textDirection, type Context } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { CalloutView } from './index';

/** The accent bar along the text's leading edge. */
const BAR_WIDTH = 6;
const BUTTON_HEIGHT = 40;
const SUBLINE_GAP = 8;
const BUTTON_GAP = 16;

/**
 * An accent bar on the leading edge, then the headline, the subline and the
 * button, stacked and centred vertically. Two lines each when they fit, one
 * (shrunk, then ellipsised) when they do not. The headline's direction sets
 * the leading edge for the whole stack, so a right-to-left headline over a
 * left-to-right subline (an Arabic name in English messages) still lines up.
 */
export function drawCallout(ctx: Context, view: CalloutView, theme: Theme, env: DrawEnv): void {
  const { width, height, padding, colors, fontSizes } = theme;
  const rtl = textDirection(view.headline) === 'rtl';
  ctx.fillStyle = colors.accent;
  ctx.fillRect(rtl ? width - BAR_WIDTH : 0, 0, BAR_WIDTH, height);

  const x = padding + (rtl ? 0 : BAR_WIDTH);
  const columnWidth = width - 2 * padding - BAR_WIDTH;
  const headlineStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.72)));
  const sublineStyle = textStyle(theme, fontSizes.body, colors.mutedText, 400);
  const layout = (lines: number) => ({
    headline: layoutParagraph(ctx, view.headline, columnWidth, lines, headlineStyle),
    subline: layoutParagraph(ctx, view.subline, columnWidth, lines, sublineStyle),
  });
  const heightOf = (text: ReturnType<typeof layout>): number => text.headline.height + SUBLINE_GAP + text.subline.height + BUTTON_GAP + BUTTON_HEIGHT;
  let text = layout(2);
  if (heightOf(text) > height - 2 * padding) text = layout(1);

  let y = Math.max(padding / 2, Math.round((height - heightOf(text)) / 2));
  const align = rtl ? 'right' : 'left';
  paintParagraph(ctx, text.headline, { x, y, width: columnWidth, align }, headlineStyle, env.log);
  y += text.headline.height + SUBLINE_GAP;
  paintParagraph(ctx, text.subline, { x, y, width: columnWidth, align }, sublineStyle, env.log);
  y += text.subline.height + BUTTON_GAP;
  drawLabel(ctx, view.cta.label, rtl ? x + columnWidth : x, y, align, buttonShape(theme, columnWidth, BUTTON_HEIGHT), env.log);
}
