import type { BlockView } from '../blocks/kind';
import { drawBlock } from './draw-block';
import { defaultTheme } from './theme';

/**
 * Draws one throwaway fallback card. The first canvas render of a process
 * registers the bundled fonts and initialises Skia, about half a second that
 * must not land on the first subscriber who opens an email.
 */
export function warmUpRenderer(): void {
  const view: BlockView & Record<string, unknown> = { kind: 'fallback', headline: 'Opentime', cta: { label: 'Shop', url: 'https://example.com' } };
  drawBlock(view, defaultTheme('fallback'), { scale: 1, images: new Map() });
}
