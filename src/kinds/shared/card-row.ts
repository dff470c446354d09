import type { Theme } from '../../render/theme';

/** A row of equal cards across the picture, and the column each card's slot links (docs/ARCHITECTURE.md, picture parts). */
export interface CardRow {
  cardWidth: number;
  /** Each card's left edge, in slot order. */
  cardXs: number[];
  /**
   * Each slot's column: from halfway to its left neighbour (0 for the first)
   * to halfway to its right neighbour (the picture's width for the last), so
   * the columns tile the row and a cropped card keeps its share of the gaps.
   */
  columns: { x: number; width: number }[];
}

/** `count` cards no wider than `maxCardWidth`, `cardGap` apart, the row centred between the paddings. */
export function cardRow(count: number, theme: Theme, maxCardWidth: number, cardGap: number): CardRow {
  const { width, padding } = theme;
  const rowWidth = width - 2 * padding;
  const cardWidth = count === 0 ? 0 : Math.min(maxCardWidth, Math.floor((rowWidth - cardGap * (count - 1)) / count));
  const usedWidth = cardWidth * count + cardGap * Math.max(0, count - 1);
  const cardXs = Array.from({ length: count }, (_, index) => padding + (rowWidth - usedWidth) / 2 + index * (cardWidth + cardGap));
  const edges = cardXs.map((x, index) => (index === 0 ? 0 : Math.round(x - cardGap / 2)));
  const columns = edges.map((x, index) => ({ x, width: (index + 1 < edges.length ? (edges[index + 1] as number) : width) - x }));
  return { cardWidth, cardXs, columns };
}
