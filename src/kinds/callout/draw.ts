import type { DrawEnv } from '../../render/draw-env';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, layoutParagraph, paintParagraph, textDirection, type Context } from '../../render/text';
import { measuringContext } from '../../render/measuring-context';
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
  drawCalloutLines(ctx, view, theme, env, 2);
}

/** Lines the narrow picture allows the headline and the subline: a phone has height to spare, not width. */
const NARROW_LINES = 3;

/** The narrow picture's height: the stack at NARROW_LINES lines each, and the padding around it. */
export function calloutNarrowHeight(view: CalloutView, theme: Theme): number {
  return Math.ceil(heightOf(calloutText(measuringContext(), view, theme, NARROW_LINES)) + 2 * theme.padding);
}

/** The phone picture (`?layout=narrow`): the same stack, in the narrow theme's larger type, up to three lines each. */
export function drawCalloutNarrow(ctx: Context, view: CalloutView, theme: Theme, env: DrawEnv): void {
  drawCalloutLines(ctx, view, theme, env, NARROW_LINES);
}

function calloutText(ctx: Context, view: CalloutView, theme: Theme, lines: number) {
  const { width, padding, colors, fontSizes } = theme;
  const columnWidth = width - 2 * padding - BAR_WIDTH;
  const headlineStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.72)));
  const sublineStyle = textStyle(theme, fontSizes.body, colors.mutedText, 400);
  return {
    columnWidth,
    headlineStyle,
    sublineStyle,
    headline: layoutParagraph(ctx, view.headline, columnWidth, lines, headlineStyle),
    subline: layoutParagraph(ctx, view.subline, columnWidth, lines, sublineStyle),
  };
}

function heightOf(text: ReturnType<typeof calloutText>): number {
  return text.headline.height + SUBLINE_GAP + text.subline.height + BUTTON_GAP + BUTTON_HEIGHT;
}

function drawCalloutLines(ctx: Context, view: CalloutView, theme: Theme, env: DrawEnv, maxLines: number): void {
  const { width, height, padding, colors } = theme;
  const rtl = textDirection(view.headline) === 'rtl';
  ctx.fillStyle = colors.accent;
  ctx.fillRect(rtl ? width - BAR_WIDTH : 0, 0, BAR_WIDTH, height);

  const x = padding + (rtl ? 0 : BAR_WIDTH);
  let text = calloutText(ctx, view, theme, maxLines);
  if (heightOf(text) > height - 2 * padding) text = calloutText(ctx, view, theme, 1);
  const { columnWidth, headlineStyle, sublineStyle } = text;

  let y = Math.max(padding / 2, Math.round((height - heightOf(text)) / 2));
  const align = rtl ? 'right' : 'left';
  paintParagraph(ctx, text.headline, { x, y, width: columnWidth, align }, headlineStyle, env.log);
  y += text.headline.height + SUBLINE_GAP;
  paintParagraph(ctx, text.subline, { x, y, width: columnWidth, align }, sublineStyle, env.log);
  y += text.subline.height + BUTTON_GAP;
  drawLabel(ctx, view.cta.label, rtl ? x + columnWidth : x, y, align, buttonShape(theme, columnWidth, BUTTON_HEIGHT), env.log);
}
