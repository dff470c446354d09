import { fallbackCtaLabel, type FallbackItem } from '../blocks/fallback-item';
import type { DrawEnv } from './draw-env';
import { measuringContext } from './measuring-context';
import { buttonShape, textStyle } from './shapes';
import { drawLabel, layoutParagraph, paintParagraph, type Context } from './text';
import type { Theme } from './theme';

function stringField(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/**
 * A fallback item (blocks/fallback-item.ts), configured or the default one: a
 * quiet panel with the headline, an optional message and the button, centred.
 * Configured items are free form, so every field is optional here.
 */
export function drawFallbackPanel(ctx: Context, item: FallbackItem, theme: Theme, env: DrawEnv): void {
  const { width, height, padding, colors } = theme;
  ctx.fillStyle = colors.surface;
  ctx.fillRect(0, 0, width, height);

  const innerWidth = width - 2 * padding;
  const { headline, message, label, headlineStyle, messageStyle, buttonHeight, buttonGap } = panelText(item, theme);

  let headlineLayout = headline ? layoutParagraph(ctx, headline, innerWidth, 2, headlineStyle) : null;
  let messageLayout = message ? layoutParagraph(ctx, message, innerWidth, 2, messageStyle) : null;
  const total = (): number => (headlineLayout?.height ?? 0) + (messageLayout ? 6 + messageLayout.height : 0) + buttonGap + buttonHeight;
  if (total() > height - 2 * padding) {
    headlineLayout = headline ? layoutParagraph(ctx, headline, innerWidth, 1, headlineStyle) : null;
    messageLayout = message ? layoutParagraph(ctx, message, innerWidth, 1, messageStyle) : null;
  }
  let y = Math.max(padding / 2, Math.round((height - total()) / 2));
  if (headlineLayout) {
    paintParagraph(ctx, headlineLayout, { x: padding, y, width: innerWidth, align: 'center' }, headlineStyle, env.log);
    y += headlineLayout.height;
  }
  if (messageLayout) {
    y += 6;
    paintParagraph(ctx, messageLayout, { x: padding, y, width: innerWidth, align: 'center' }, messageStyle, env.log);
    y += messageLayout.height;
  }
  if (label) drawLabel(ctx, label, width / 2, y + buttonGap, 'center', buttonShape(theme, innerWidth, buttonHeight), env.log);
}

/** What the panel shows of an item, and in which styles. */
function panelText(item: FallbackItem, theme: Theme) {
  const { colors, fontSizes } = theme;
  const label = fallbackCtaLabel(item);
  return {
    headline: stringField(item.headline),
    message: stringField(item.message),
    label,
    headlineStyle: textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.72))),
    messageStyle: textStyle(theme, fontSizes.body, colors.mutedText, 400),
    buttonHeight: label ? 40 : 0,
    buttonGap: label ? 14 : 0,
  };
}

/**
 * The narrow picture's height for a fallback item (render/layout.ts): the panel's headline and
 * message at two lines each and its button, with the padding around them, so a phone reads the
 * fallback in the narrow theme's larger type too.
 */
export function fallbackPanelHeight(item: FallbackItem, theme: Theme): number {
  const ctx = measuringContext();
  const innerWidth = theme.width - 2 * theme.padding;
  const { headline, message, headlineStyle, messageStyle, buttonHeight, buttonGap } = panelText(item, theme);
  const headlineHeight = headline ? layoutParagraph(ctx, headline, innerWidth, 2, headlineStyle).height : 0;
  const messageHeight = message ? 6 + layoutParagraph(ctx, message, innerWidth, 2, messageStyle).height : 0;
  return Math.ceil(headlineHeight + messageHeight + buttonGap + buttonHeight + 2 * theme.padding);
}
