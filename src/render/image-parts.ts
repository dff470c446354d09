import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { ImagePart } from '../blocks/slots';
import { withKindOf, type ShownView } from '../kinds/kind-of-view';
import type { Theme } from './theme';

/**
 * Parts of a block's picture (`ImagePart`, blocks/slots.ts), for HTML parts that link each card on its own:
 * `?slot=header` is the title band, `?slot=N` card N's column, each cropped
 * from the very drawing the whole picture is. Cards in separate linked cells
 * stay under the reader's finger at any width; an image map's coordinates do
 * not scale with a fluid image, so on a phone a tap could land on the next card.
 */
export interface PartRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The rectangle (CSS pixels) a part shows: `whole` for the whole picture,
 * `empty` for nothing. The header and card columns are where the view's kind
 * says they are (`parts`, kinds/kind.ts). A picture that cannot be cut (a
 * fallback panel, a countdown) is all header, so a template's card cells stay
 * empty rather than repeat it.
 */
export function partRect(view: ShownView, theme: Theme, part: ImagePart): PartRect | 'whole' | 'empty' {
  const layout = withKindOf(view, (kind, own) => (theme.layout === 'narrow' ? kind.narrow?.parts?.(own, theme) : kind.parts?.(own, theme)));
  if (!layout) return part === 'header' ? 'whole' : 'empty';
  if (part === 'header') return { x: 0, y: 0, width: theme.width, height: layout.headerBottom };
  if (layout.rows) {
    // Stacked cards (a narrow picture): card N is its full-width row.
    const row = layout.rows[part];
    return row ? { x: 0, y: row.y, width: theme.width, height: row.height } : 'empty';
  }
  const column = layout.columns[part];
  if (!column) return 'empty';
  return { x: column.x, y: layout.headerBottom, width: column.width, height: theme.height - layout.headerBottom };
}

/** The `rect` (CSS pixels) of a drawn canvas as a canvas of its own, at the drawing's scale. */
export function cropCanvas(canvas: Canvas, rect: PartRect, scale: number): Canvas {
  const x = Math.round(rect.x * scale);
  const y = Math.round(rect.y * scale);
  const width = Math.max(1, Math.min(canvas.width - x, Math.round(rect.width * scale)));
  const height = Math.max(1, Math.min(canvas.height - y, Math.round(rect.height * scale)));
  const part = createCanvas(width, height);
  part.getContext('2d').drawImage(canvas, x, y, width, height, 0, 0, width, height);
  return part;
}
