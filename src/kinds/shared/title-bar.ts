import type { DrawEnv } from '../../render/draw-env';
import { buttonShape, textStyle } from '../../render/shapes';
import { drawLabel, layoutParagraph, paintParagraph, textDirection, type Context, type ParagraphLayout, type TextStyle } from '../../render/text';
import type { Theme } from '../../render/theme';

/** The header of a row-of-cards kind (recommendations, feed): the block's title and a small button to the whole list. */
export interface TitledView {
  title: string;
  cta: { label: string };
}

/** The wide picture's header: the button on the right, the title in the width it leaves, one line, centred in `height`. */
export function drawTitleBar(ctx: Context, view: TitledView, theme: Theme, env: DrawEnv, height: number): void {
  const { width, padding, colors, fontSizes } = theme;
  const button = buttonShape(theme, Math.round(width * 0.4), height, fontSizes.small + 1);
  const drawnButton = drawLabel(ctx, view.cta.label, width - padding, padding, 'right', button, env.log);
  const titleStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.7)));
  const titleWidth = drawnButton.x - padding - 16;
  const title = layoutParagraph(ctx, view.title, titleWidth, 1, titleStyle);
  paintParagraph(ctx, title, { x: padding, y: padding + (height - title.height) / 2, width: titleWidth, align: 'start' }, titleStyle, env.log);
}

const NARROW_BUTTON_HEIGHT = 34;

/** The narrow picture's header, laid out before drawing so the stack below knows where it starts. */
export interface NarrowTitleBar {
  title: ParagraphLayout;
  titleStyle: TextStyle;
  /** The taller of the button and the title's (up to two) lines. */
  headerHeight: number;
}

function narrowButton(theme: Theme) {
  return buttonShape(theme, Math.round((theme.width - 2 * theme.padding) * 0.5), NARROW_BUTTON_HEIGHT, theme.fontSizes.small + 1);
}

export function layoutNarrowTitleBar(ctx: Context, view: TitledView, theme: Theme): NarrowTitleBar {
  const { width, padding, colors, fontSizes } = theme;
  const titleStyle = textStyle(theme, fontSizes.headline, colors.text, 700, Math.max(fontSizes.min, Math.round(fontSizes.headline * 0.75)));
  // The button's width is not known before it is drawn: the title gets what its widest would leave.
  const title = layoutParagraph(ctx, view.title, width - 2 * padding - narrowButton(theme).maxWidth - 12, 2, titleStyle);
  return { title, titleStyle, headerHeight: Math.max(NARROW_BUTTON_HEIGHT, Math.ceil(title.height)) };
}

/** The button on the trailing side (left for a right-to-left title), the title beside it. */
export function drawNarrowTitleBar(ctx: Context, view: TitledView, bar: NarrowTitleBar, theme: Theme, env: DrawEnv): void {
  const { width, padding } = theme;
  const rtl = textDirection(view.title) === 'rtl';
  const button = drawLabel(ctx, view.cta.label, rtl ? padding : width - padding, padding + (bar.headerHeight - NARROW_BUTTON_HEIGHT) / 2, rtl ? 'left' : 'right', narrowButton(theme), env.log);
  const titleX = rtl ? button.x + button.width + 12 : padding;
  const titleWidth = rtl ? width - padding - titleX : button.x - padding - 12;
  paintParagraph(ctx, bar.title, { x: titleX, y: padding + (bar.headerHeight - bar.title.height) / 2, width: titleWidth, align: 'start' }, bar.titleStyle, env.log);
}
