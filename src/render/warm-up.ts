import type { BlockView } from '../blocks/kind';
import { drawBlock } from './draw-block';
import { defaultTheme } from './theme';

/**
 * Draws one throwaway fallback card. The first canvas render of a process
 * registers the bundled fonts and initialises Skia, about half a second that
 * must not land on the first subscriber who opens an email.
 */
export function warmUpRenderer(): void {
  const fallback: BlockView & Record<string, unknown> = { kind: 'fallback', headline: 'Opentime', cta: { label: 'Shop', url: 'https://example.com' } };
  const countdown: BlockView & Record<string, unknown> = {
    kind: 'countdown',
    state: 'running',
    headline: 'Opentime',
    message: 'Ends soon',
    units: [{ key: 'days', value: '01', label: 'days' }],
    text: '',
    cta: { label: 'Shop', url: 'https://example.com' },
  };
  // Both scales: Skia keeps its glyph caches per font size, and a 2x picture uses other sizes.
  for (const scale of [1, 2]) {
    drawBlock(fallback, defaultTheme('fallback'), { scale, images: new Map() });
    drawBlock(countdown, defaultTheme('countdown'), { scale, images: new Map() });
  }
}
