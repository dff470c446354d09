import type { DrawEnv } from '../../render/draw-env';
import { drawPicture } from '../../render/picture';
import { buttonShape, textStyle } from '../../render/shapes';
import { measuringContext } from '../../render/measuring-context';
import { drawLabel, layoutParagraph, paintParagraph, type Context, type LabelShape, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';
import type { BannerView } from './index';

const BUTTON_HEIGHT = 40;
const SUBLINE_GAP = 6;
const BUTTON_GAP = 14;
/** How strongly the accent colour is laid over a background picture, so light text stays legible on any picture. */
const SCRIM_OPACITY = 0.55;

/**
 * The accent colour, or the background picture fitted as the theme says
 * under a veil of the accent colour; then the headline, the subline and the
 * button centred on it in the button-text colour, in the theme's font (a
 * brand font when the theme names one). Two lines each when they fit, one
 * (shrunk, then ellipsised) when they do not. A background picture that is
 * missing leaves the accent colour, as a product card draws its placeholder.
 */
export function drawBanner(ctx: Context, view: BannerView, theme: Theme, env: DrawEnv): void {
  drawBannerLines(ctx, view, theme, env, 2);
}

/** Lines the narrow picture allows the headline and the subline: a phone has height to spare, not width. */
const NARROW_LINES = 3;

/** The narrow picture's height (render/layout.ts): the stack at NARROW_LINES lines each, and the padding around it. */
export function bannerNarrowHeight(view: BannerView, theme: Theme): number {
  return Math.ceil(heightOf(bannerText(measuringContext(), view, theme, NARROW_LINES)) + 2 * theme.padding);
}

/** The phone picture: the same stack on NARROW_WIDTH, the picture as tall as its lines need. */
export function drawBannerNarrow(ctx: Context, view: BannerView, theme: Theme, env: DrawEnv): void {
  drawBannerLines(ctx, view, theme, env, NARROW_LINES);
}

interface BannerText {
  headline: ParagraphLayout;
  headlineStyle: TextStyle;
  subline: ParagraphLayout | null;
  sublineStyle: TextStyle;
  button: boolean;
}

function bannerText(ctx: Context, view: BannerView, theme: Theme, lines: number): BannerText {
  const { width, padding, colors, fontSizes } = theme;
  const columnWidth = width - 2 * padding;
  // Brand display faces often ship one weight; asking Skia for another would embolden the file synthetically.
  const brandFont = theme.fonts.some((font) => font.family === theme.fontFamily);
  const headlineStyle = textStyle(theme, fontSizes.headline, colors.buttonText, brandFont ? 400 : 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.6)));
  const sublineStyle = textStyle(theme, fontSizes.body, colors.buttonText, 400);
  return {
    headline: layoutParagraph(ctx, view.headline, columnWidth, lines, headlineStyle),
    headlineStyle,
    subline: view.subline.trim() === '' ? null : layoutParagraph(ctx, view.subline, columnWidth, lines, sublineStyle),
    sublineStyle,
    button: view.cta.label.trim() !== '',
  };
}

function heightOf(text: BannerText): number {
  return text.headline.height + (text.subline ? SUBLINE_GAP + text.subline.height : 0) + (text.button ? BUTTON_GAP + BUTTON_HEIGHT : 0);
}

function drawBannerLines(ctx: Context, view: BannerView, theme: Theme, env: DrawEnv, lines: number): void {
  const { width, height, padding, colors } = theme;
  ctx.fillStyle = colors.accent;
  ctx.fillRect(0, 0, width, height);
  if (view.image !== null) drawBackground(ctx, view.image, theme, env);

  const columnWidth = width - 2 * padding;
  let text = bannerText(ctx, view, theme, lines);
  if (heightOf(text) > height - padding) text = bannerText(ctx, view, theme, 1);

  let y = Math.max(padding / 2, Math.round((height - heightOf(text)) / 2));
  paintParagraph(ctx, text.headline, { x: padding, y, width: columnWidth, align: 'center' }, text.headlineStyle, env.log);
  y += text.headline.height;
  if (text.subline) {
    y += SUBLINE_GAP;
    paintParagraph(ctx, text.subline, { x: padding, y, width: columnWidth, align: 'center' }, text.sublineStyle, env.log);
    y += text.subline.height;
  }
  if (text.button) drawLabel(ctx, view.cta.label, width / 2, y + BUTTON_GAP, 'center', invertedButton(theme, columnWidth), env.log);
}

function drawBackground(ctx: Context, url: string, theme: Theme, env: DrawEnv): void {
  const image = env.images.get(url) ?? null;
  if (!image || !(image.width > 0) || !(image.height > 0)) {
    env.log?.images.push(`placeholder:${url}`);
    return;
  }
  drawPicture(ctx, image, { x: 0, y: 0, width: theme.width, height: theme.height }, theme.pictureFit, theme.pictureFocus, 0);
  ctx.globalAlpha = SCRIM_OPACITY;
  ctx.fillStyle = theme.colors.accent;
  ctx.fillRect(0, 0, theme.width, theme.height);
  ctx.globalAlpha = 1;
  env.log?.images.push(url);
}

/**
 * The theme's button turned inside out, since it stands on the accent colour
 * the theme's filled buttons are usually painted in: filled in the
 * button-text colour with accent lettering, or outlined in the button-text colour.
 */
function invertedButton(theme: Theme, maxWidth: number): LabelShape {
  const shape = buttonShape(theme, maxWidth, BUTTON_HEIGHT);
  const filled = theme.button.style === 'filled';
  return {
    ...shape,
    background: filled ? theme.colors.buttonText : null,
    border: filled ? null : theme.colors.buttonText,
    text: { ...shape.text, color: filled ? theme.colors.accent : theme.colors.buttonText },
  };
}
