import type { SKRSContext2D } from '@napi-rs/canvas';
import type { DrawLog } from './draw-log';
import { fontStack, type FontWeight } from './fonts';

/**
 * Text primitives. Each draws one string from the view, as given, inside a
 * box: it shrinks the font (down to a minimum) and then ellipsises, so text
 * never overflows its box and is never cut through a glyph. Positions are
 * computed here from measured widths and drawn left-aligned, so alignment does
 * not depend on the canvas' own `textAlign`/`direction` handling.
 */

export type Context = SKRSContext2D;
/** `start`: left for left-to-right text, right for right-to-left text (CSS text-align: start with dir="auto"). */
export type Align = 'left' | 'center' | 'right' | 'start';

export interface TextStyle {
  /** Preferred size in CSS px. */
  size: number;
  /** Shrink down to this size before ellipsising; defaults to `size` (no shrinking). */
  minSize?: number;
  weight?: FontWeight;
  color: string;
  /** A bundled family or a brand family the theme registered (brand-fonts.ts). */
  family: string;
  /** A line through the text (the original price of a product on sale). */
  strikethrough?: boolean;
}

export interface TextBox {
  x: number;
  /** Top of the line box. */
  y: number;
  width: number;
  /**
   * When set, the text's capital letters are centred vertically in this height
   * (buttons, pills, boxes). Otherwise the line box is `LINE_HEIGHT × size` tall.
   */
  height?: number;
  /** Puts the baseline here instead (to line up text of different sizes). */
  baseline?: number;
  align?: Align;
}

export interface DrawnText {
  /** The string drawn (the view string, or its shortened form). */
  shown: string;
  /** The size used after any shrinking. */
  size: number;
  /** Width of what was drawn. */
  width: number;
  /** Left edge of what was drawn. */
  x: number;
  baseline: number;
}

/** Line box height as a multiple of the font size. */
export const LINE_HEIGHT = 1.25;
/** Inter's cap height (0.727 em); used to centre text optically. */
const CAP_HEIGHT = 0.727;
/** Middle of Inter's lowercase letters above the baseline (x-height 0.546 em / 2). */
const STRIKE_POSITION = 0.3;
const ELLIPSIS = '…';

const fontStrings = new Map<string, string>();

/** The canvas `font` string for a size, weight and family; built once per combination. */
export function fontFor(size: number, weight: FontWeight, family: string): string {
  const key = `${weight}|${size}|${family}`;
  let font = fontStrings.get(key);
  if (font === undefined) {
    font = `${weight} ${size}px ${fontStack(family)}`;
    fontStrings.set(key, font);
  }
  return font;
}

function setFont(ctx: Context, size: number, style: TextStyle): void {
  const font = fontFor(size, style.weight ?? 400, style.family);
  if (ctx.font !== font) ctx.font = font;
}

// Strong right-to-left letters: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms.
const RTL_LETTER = /[\u0590-\u05ff\u0600-\u06ff\u0700-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/;
const LETTER = /\p{L}/u;
// Arabic-Indic digits and Arabic punctuation are not strong: they do not decide the direction.
const ARABIC_WEAK = /[\u0600-\u061b\u061d-\u061f\u0660-\u066d\u06f0-\u06f9]/;

/**
 * The base direction of a string, close to the Unicode first-strong rule that
 * HTML's dir="auto" uses, adjusted for what Intl puts into formatted numbers:
 * a leading mark decides (U+200F RLM or U+061C ALM: right-to-left, U+200E
 * LRM: left-to-right), then the first letter, and only for strings without
 * letters a mark inside ("-٢٥٪؜" is right-to-left, "-٢٥٪؜ today" is not).
 */
export function textDirection(text: string): 'ltr' | 'rtl' {
  let mark: 'ltr' | 'rtl' | null = null;
  let first = true;
  for (const char of text) {
    if (char === '\u200f' || char === '\u061c' || char === '\u200e') {
      const direction = char === '\u200e' ? 'ltr' : 'rtl';
      if (first) return direction;
      mark ??= direction;
    } else if (!ARABIC_WEAK.test(char)) {
      if (RTL_LETTER.test(char)) return 'rtl';
      if (LETTER.test(char)) return 'ltr';
    }
    first = false;
  }
  return mark ?? 'ltr';
}

let graphemes: Intl.Segmenter | null = null;

/** User-perceived characters, so shortening never splits a surrogate pair or a combining mark from its letter. */
function splitGraphemes(text: string): string[] {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(graphemes.segment(text), (segment) => segment.segment);
}

export function measure(ctx: Context, text: string, size: number, style: TextStyle): number {
  setFont(ctx, size, style);
  ctx.direction = textDirection(text);
  return ctx.measureText(text).width;
}

/** The longest start of `text` that fits with an ellipsis after it ("" when not even the ellipsis fits). */
function ellipsise(ctx: Context, text: string, maxWidth: number): { shown: string; width: number } {
  const parts = splitGraphemes(text);
  let low = 0;
  let high = parts.length - 1;
  let best = { shown: '', width: 0 };
  while (low <= high) {
    const mid = (low + high) >> 1;
    const candidate = `${parts.slice(0, mid).join('').trimEnd()}${ELLIPSIS}`;
    const width = ctx.measureText(candidate).width;
    if (width <= maxWidth) {
      best = { shown: candidate, width };
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/** The size and string that fit one line of `maxWidth`: shrunk first, then ellipsised. Sets ctx.font to match. */
export function fitLine(ctx: Context, text: string, maxWidth: number, style: TextStyle): { shown: string; size: number; width: number } {
  const minSize = Math.min(style.minSize ?? style.size, style.size);
  let size = style.size;
  let width = measure(ctx, text, size, style);
  if (width <= maxWidth) return { shown: text, size, width };
  // Width grows about linearly with size: jump to the size that should fit, then confirm in half-pixel steps.
  size = Math.max(minSize, Math.floor(((size * maxWidth) / width) * 2) / 2);
  for (;;) {
    width = measure(ctx, text, size, style);
    if (width <= maxWidth) return { shown: text, size, width };
    if (size <= minSize) break;
    size = Math.max(minSize, size - 0.5);
  }
  const short = ellipsise(ctx, text, maxWidth);
  return { shown: short.shown, size, width: short.width };
}

function record(log: DrawLog | undefined, text: string, shown: string, size: number): void {
  if (!log) return;
  log.texts.push(text);
  log.sizes.push({ text, size });
  if (shown !== text) {
    log.texts.push(shown);
    log.shortened.push(text);
  }
}

function baselineOf(box: TextBox, size: number): number {
  if (box.baseline !== undefined) return box.baseline;
  const height = box.height ?? size * LINE_HEIGHT;
  return box.y + (height + CAP_HEIGHT * size) / 2;
}

function leftOf(box: TextBox, width: number, direction: 'ltr' | 'rtl' = 'ltr'): number {
  const align = box.align === 'start' ? (direction === 'rtl' ? 'right' : 'left') : (box.align ?? 'left');
  if (align === 'center') return box.x + (box.width - width) / 2;
  if (align === 'right') return box.x + box.width - width;
  return box.x;
}

function paint(
  ctx: Context,
  shown: string,
  x: number,
  baseline: number,
  size: number,
  style: TextStyle,
  width: number,
  direction: 'ltr' | 'rtl' = textDirection(shown),
): void {
  ctx.fillStyle = style.color;
  ctx.direction = direction;
  ctx.fillText(shown, x, baseline);
  if (style.strikethrough && width > 0) {
    const thickness = Math.max(1, Math.round(size / 14));
    ctx.fillRect(x - 1, Math.round(baseline - STRIKE_POSITION * size - thickness / 2), width + 2, thickness);
  }
}

/** Draws one line of text in a box; shrinks, then ellipsises, so it never leaves the box. */
export function drawText(ctx: Context, text: string, box: TextBox, style: TextStyle, log?: DrawLog): DrawnText {
  const fitted = fitLine(ctx, text, box.width, style);
  record(log, text, fitted.shown, fitted.size);
  const x = leftOf(box, fitted.width, textDirection(text));
  const baseline = baselineOf(box, fitted.size);
  paint(ctx, fitted.shown, x, baseline, fitted.size, style, fitted.width);
  return { shown: fitted.shown, size: fitted.size, width: fitted.width, x, baseline };
}

/** Breaks text into words (keeping their trailing spaces); a word with no spaces (CJK) may break anywhere. */
function breakOpportunities(text: string): string[] {
  return text.split(/(?<=\s)/u);
}

/** Greedy line breaking at `size`; a word wider than the line is broken between characters. */
function wrap(ctx: Context, text: string, maxWidth: number, size: number, style: TextStyle): string[] {
  setFont(ctx, size, style);
  ctx.direction = textDirection(text);
  // Most texts fit on one line: one measurement instead of one per word and per growing prefix
  // (the greedy loop below would end with this very line, every prefix being narrower).
  const whole = text.trimEnd();
  if (whole.trim() !== '' && ctx.measureText(whole).width <= maxWidth) return [whole];
  const lines: string[] = [];
  let line = '';
  const push = (piece: string): void => {
    const candidate = line + piece;
    if (line === '' || ctx.measureText(candidate.trimEnd()).width <= maxWidth) {
      line = candidate;
      return;
    }
    lines.push(line.trimEnd());
    line = piece;
  };
  for (const word of breakOpportunities(text)) {
    if (ctx.measureText(word.trimEnd()).width <= maxWidth) {
      push(word);
      continue;
    }
    for (const part of splitGraphemes(word)) push(part);
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

export interface ParagraphLayout {
  text: string;
  lines: string[];
  size: number;
  /** Height used: lines × line height. */
  height: number;
  shortened: boolean;
}

/**
 * Lays text out over up to `maxLines` lines of `width`: wraps at word
 * boundaries, shrinks the font while it needs more lines, and at the minimum
 * size ellipsises the last line. Measures only; paintParagraph draws.
 */
export function layoutParagraph(ctx: Context, text: string, width: number, maxLines: number, style: TextStyle): ParagraphLayout {
  const minSize = Math.min(style.minSize ?? style.size, style.size);
  let size = style.size;
  let lines = wrap(ctx, text, width, size, style);
  while (lines.length > maxLines && size > minSize) {
    size = Math.max(minSize, size - 1);
    lines = wrap(ctx, text, width, size, style);
  }
  let shortened = false;
  if (lines.length > maxLines) {
    const kept = lines.slice(0, Math.max(0, maxLines - 1));
    // The rest of the original string (not the re-joined lines: CJK lines break without a space).
    let position = 0;
    for (const line of kept) position = text.indexOf(line, position) + line.length;
    const rest = text.slice(position).trimStart();
    setFont(ctx, size, style);
    ctx.direction = textDirection(rest);
    kept.push(ellipsise(ctx, `${rest}${ELLIPSIS}`, width).shown);
    lines = kept;
    shortened = true;
  }
  return { text, lines, size, height: lines.length * size * LINE_HEIGHT, shortened };
}

/** Draws a laid-out paragraph with its first line box at box.y; logs the full string (and the shown one if shortened). */
export function paintParagraph(ctx: Context, layout: ParagraphLayout, box: TextBox, style: TextStyle, log?: DrawLog): void {
  record(log, layout.text, layout.shortened ? layout.lines.join(' ') : layout.text, layout.size);
  const lineHeight = layout.size * LINE_HEIGHT;
  // One direction for the whole paragraph, so its lines align on the same side.
  const direction = textDirection(layout.text);
  layout.lines.forEach((line, index) => {
    const width = measure(ctx, line, layout.size, style);
    const lineBox = { x: box.x, y: box.y + index * lineHeight, width: box.width, align: box.align ?? 'left' };
    paint(ctx, line, leftOf(lineBox, width, direction), baselineOf(lineBox, layout.size), layout.size, style, width, direction);
  });
}

/** Filled rounded rectangle. */
export function fillRoundRect(ctx: Context, x: number, y: number, width: number, height: number, radius: number, color: string): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.roundRect(x, y, width, height, Math.min(radius, height / 2, width / 2));
  ctx.fill();
}

export interface LabelShape {
  height: number;
  /** Space between the label and the left/right edge. */
  paddingX: number;
  minWidth?: number;
  maxWidth: number;
  radius: number;
  /** Filled background, or none for an outline shape. */
  background: string | null;
  /** Outline colour, or none. */
  border: string | null;
  text: TextStyle;
}

/**
 * A label in a rounded shape: buttons and badge pills. `x` is the left edge,
 * the right edge (align "right") or the centre (align "center"). The label
 * shrinks, then ellipsises, to fit maxWidth. Returns the shape's box.
 */
export function drawLabel(
  ctx: Context,
  label: string,
  x: number,
  y: number,
  align: Align,
  shape: LabelShape,
  log?: DrawLog,
): { x: number; y: number; width: number; height: number } {
  const fitted = fitLine(ctx, label, Math.max(0, shape.maxWidth - 2 * shape.paddingX), shape.text);
  const width = Math.min(shape.maxWidth, Math.max(shape.minWidth ?? 0, fitted.width + 2 * shape.paddingX));
  const left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
  if (shape.background) fillRoundRect(ctx, left, y, width, shape.height, shape.radius, shape.background);
  if (shape.border) {
    ctx.strokeStyle = shape.border;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.roundRect(left + 0.75, y + 0.75, width - 1.5, shape.height - 1.5, Math.min(shape.radius, shape.height / 2));
    ctx.stroke();
  }
  record(log, label, fitted.shown, fitted.size);
  const box = { x: left, y, width, height: shape.height, align: 'center' as const };
  paint(ctx, fitted.shown, leftOf(box, fitted.width), baselineOf(box, fitted.size), fitted.size, shape.text, fitted.width);
  return { x: left, y, width, height: shape.height };
}

// Digit sets whose members should share one width when they tick (ASCII, Arabic-Indic, Persian, Devanagari, fullwidth).
const DIGIT_SETS = ['0123456789', '٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹', '०१२३४५६७८९', '０１２３４５６７８９'] as const;
const digitCellWidths = new Map<string, number>();

/** The widest digit of a set in the current font (cached per font). */
function digitCell(ctx: Context, set: string): number {
  const key = `${ctx.font}|${set}`;
  let width = digitCellWidths.get(key);
  if (width === undefined) {
    width = 0;
    for (const digit of set) width = Math.max(width, ctx.measureText(digit).width);
    digitCellWidths.set(key, width);
  }
  return width;
}

/** Each grapheme's advance: digits take the widest digit of their set (like font-variant-numeric: tabular-nums). */
function figureAdvances(ctx: Context, parts: readonly string[], size: number, style: TextStyle): number[] {
  setFont(ctx, size, style);
  ctx.direction = 'ltr';
  return parts.map((part) => {
    const set = DIGIT_SETS.find((digits) => digits.includes(part));
    return set ? digitCell(ctx, set) : ctx.measureText(part).width;
  });
}

/**
 * Draws figures ("05", "٠٥") with every digit in a cell of the same width, so
 * the frames of a ticking countdown do not jitter as digits change. Shrinks
 * to fit like drawText; if even the minimum size is too wide, falls back to
 * drawText (which ellipsises).
 */
export function drawFigures(ctx: Context, text: string, box: TextBox, style: TextStyle, log?: DrawLog): DrawnText {
  const parts = splitGraphemes(text);
  const minSize = Math.min(style.minSize ?? style.size, style.size);
  let size = style.size;
  let advances = figureAdvances(ctx, parts, size, style);
  let width = advances.reduce((sum, advance) => sum + advance, 0);
  if (width > box.width) {
    size = Math.max(minSize, Math.floor(((size * box.width) / width) * 2) / 2);
    advances = figureAdvances(ctx, parts, size, style);
    width = advances.reduce((sum, advance) => sum + advance, 0);
    if (width > box.width) return drawText(ctx, text, box, { ...style, size }, log);
  }
  record(log, text, text, size);
  const x = leftOf(box, width);
  const baseline = baselineOf(box, size);
  ctx.fillStyle = style.color;
  let cursor = x;
  parts.forEach((part, index) => {
    const advance = advances[index] as number;
    ctx.fillText(part, cursor + (advance - ctx.measureText(part).width) / 2, baseline);
    cursor += advance;
  });
  return { shown: text, size, width, x, baseline };
}
