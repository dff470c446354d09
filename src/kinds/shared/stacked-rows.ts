/**
 * The rows of a narrow picture's stacked cards as picture parts
 * (`?slot=N&layout=narrow`, docs/ARCHITECTURE.md): they tile the picture
 * under the header, each from halfway through the gap above its card to
 * halfway through the gap below (the picture's bottom for the last).
 */
export function stackedRows(cardYs: readonly number[], headerBottom: number, pictureHeight: number, rowGap: number): { y: number; height: number }[] {
  const tops = cardYs.map((y, index) => (index === 0 ? headerBottom : y - rowGap / 2));
  return tops.map((top, index) => ({ y: top, height: (index + 1 < tops.length ? (tops[index + 1] as number) : pictureHeight) - top }));
}
