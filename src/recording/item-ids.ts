import type { BlockView } from '../kinds/registry';
import { productCardsOf } from '../kinds/kind-of-view';

const NONE: readonly string[] = Object.freeze([]);

/**
 * Slot i → the id of the item the view shows there, for the render log:
 * the product of a product block, the picks of a recommendations block.
 * Countdown, loyalty and fallback views show no catalogue items.
 */
export function itemIdsOf(view: BlockView): readonly string[] {
  const cards = productCardsOf(view);
  return cards.length === 0 ? NONE : cards.map((card) => card.id);
}
