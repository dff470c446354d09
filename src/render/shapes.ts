import type { FontWeight } from './fonts';
import type { LabelShape, TextStyle } from './text';
import type { BadgeToneName, Theme } from './theme';

/** A text style in the theme's font; shrinking stops at `minSize` (the theme's minimum by default). */
export function textStyle(theme: Theme, size: number, color: string, weight: FontWeight = 400, minSize = theme.fontSizes.min): TextStyle {
  return { size, minSize: Math.min(minSize, size), weight, color, family: theme.fontFamily };
}

/** The call-to-action button in the theme's style. */
export function buttonShape(theme: Theme, maxWidth: number, height = 44, size = theme.fontSizes.button): LabelShape {
  const filled = theme.button.style === 'filled';
  return {
    height,
    paddingX: Math.round(height * 0.6),
    minWidth: Math.min(maxWidth, height * 3),
    maxWidth,
    radius: theme.button.radius,
    background: filled ? theme.colors.buttonBackground : null,
    border: filled ? null : theme.colors.accent,
    text: textStyle(theme, size, filled ? theme.colors.buttonText : theme.colors.accent, 600),
  };
}

/** A badge pill in its tone's colours (an unknown tone gets the info colours). */
export function badgeShape(theme: Theme, tone: BadgeToneName | string, maxWidth: number, height = 24, size = theme.fontSizes.small): LabelShape {
  const colours = theme.colors.badges[tone as BadgeToneName] ?? theme.colors.badges.info;
  return {
    height,
    paddingX: Math.round(height * 0.45),
    maxWidth,
    radius: height / 2,
    background: colours.background,
    border: null,
    text: textStyle(theme, size, colours.text, 600, Math.min(theme.fontSizes.min, size)),
  };
}
