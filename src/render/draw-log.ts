/**
 * What a rendering drew, for tests that prove the image shows the same facts
 * as the JSON. Passing one to drawBlock costs a few array pushes; production
 * renders pass none.
 */
export class DrawLog {
  /**
   * Every string a text primitive was asked to draw, exactly as given; when it
   * had to be shortened, the shown string ("Long name…") follows it.
   */
  readonly texts: string[] = [];
  /** Every image drawn: its URL, or `placeholder:<url>` when the placeholder stood in. */
  readonly images: string[] = [];
  /** Strings that did not fit and were ellipsised (the full strings). */
  readonly shortened: string[] = [];
  /** Every string drawn with the font size it was drawn at (CSS px of the picture, after shrinking to fit). */
  readonly sizes: { text: string; size: number }[] = [];

  /** The smallest font size any string was drawn at; Infinity when nothing was drawn. */
  smallestSize(): number {
    return this.sizes.reduce((smallest, drawn) => Math.min(smallest, drawn.size), Number.POSITIVE_INFINITY);
  }

  /** True when `text` was drawn on its own or as part of a longer drawn string. */
  shows(text: string): boolean {
    return this.texts.some((drawn) => drawn === text || drawn.includes(text));
  }
}
