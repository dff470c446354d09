import { defaultFallbackItem } from '../blocks/fallback-item';
import type { ShownView } from '../kinds/kind-of-view';
import { allKinds } from '../kinds/registry';
import { drawBlock } from './draw-block';
import { defaultTheme, type Theme } from './theme';

/**
 * Draws throwaway pictures: a fallback panel, and a sample view of every kind
 * that animates (a GIF is sixty draws, the first of which must not be slow).
 * The first canvas render of a process registers the bundled fonts and
 * initialises Skia, about half a second that must not land on the first
 * subscriber who opens an email.
 */
export function warmUpRenderer(): void {
  const pictures: { view: ShownView; theme: Theme }[] = [{ view: defaultFallbackItem('https://example.com'), theme: defaultTheme() }];
  for (const kind of allKinds) {
    if (kind.animation) pictures.push({ view: kind.samples[0].view, theme: defaultTheme(kind.theme) });
  }
  // Both scales: Skia keeps its glyph caches per font size, and a 2x picture uses other sizes.
  for (const scale of [1, 2]) {
    for (const { view, theme } of pictures) drawBlock(view, theme, { scale, images: new Map() });
  }
}
