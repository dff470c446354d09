import type { Product } from '../data/model';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import { productCardsOf, withKind } from '../kinds/kind-of-view';
import type { BlockView } from '../kinds/registry';
import type { ProductCardView } from '../kinds/shared/product-card';
import { withProduct, type RuleFacts } from '../rules/facts';
import type { CompiledMark, PreparedLock } from './lock-config';

type Message = (key: string, values?: Readonly<Record<string, string | number | null | undefined>>) => string;

/**
 * A product that has left the catalogue since the view was frozen: its rule
 * facts say stock 0 (so the default sold-out mark applies), everything else
 * comes from the frozen card.
 */
function departedProduct(card: ProductCardView): Product {
  return {
    id: card.id,
    name: card.name,
    url: card.url,
    image: card.image,
    category: card.category,
    price: 0,
    salePrice: null,
    currency: 'XXX',
    prices: {},
    markets: [],
    stock: 0,
    popularity: 0,
    updatedAt: new Date(0).toISOString(),
  };
}

function markCard(card: ProductCardView, mark: CompiledMark, live: Product, message: Message): ProductCardView {
  return {
    ...card,
    badge:
      mark.badge === undefined
        ? card.badge
        : mark.badge && { text: message(mark.badge.text, { stock: live.stock, name: card.name, discount: card.discount ?? '' }), tone: mark.badge.tone },
    stockState: mark.stockState ?? card.stockState,
  };
}

/**
 * The frozen view with its marks applied for this open: for each product
 * card, the first mark whose rule holds against the product's LIVE record
 * overlays its badge and stock state. Returns the very same object when no
 * mark applies, so the image render cache sees an unchanged view.
 */
export async function markFrozenView(
  view: BlockView,
  lock: PreparedLock,
  context: { store: CatalogueReader; facts: RuleFacts; message: () => Message },
): Promise<BlockView> {
  const cards = productCardsOf(view);
  if (cards.length === 0 || lock.marks.length === 0) return view;
  const live = new Map((await context.store.getProducts(cards.map((card) => card.id))).map((product) => [product.id, product]));
  let message: Message | undefined;
  let changed = false;
  const marked = cards.map((card) => {
    const product = live.get(card.id) ?? departedProduct(card);
    const facts = withProduct(context.facts, product);
    const mark = lock.marks.find((candidate) => candidate.when(facts));
    if (!mark) return card;
    changed = true;
    return markCard(card, mark, product, (message ??= context.message()));
  });
  if (!changed) return view;
  return withKind<BlockView>(view, (kind, own) => kind.productCards?.with(own, marked) ?? own);
}
