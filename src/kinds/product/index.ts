import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import type { Product } from '../../data/model';
import { compileRule, type CompiledRule } from '../../rules/rule';
import { withProduct } from '../../rules/facts';
import { HoldBack } from '../hold-back';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import {
  badgeRuleSchema,
  cardMessages,
  compileBadges,
  defaultBadgeRules,
  productCard,
  type CompiledBadge,
  type ProductCardView,
} from '../shared/product-card';
import { drawProduct } from './draw';
import { productSamples } from './samples';

const productSchema = baseBlockSchema.extend({
  kind: z.literal('product'),
  productId: z.string().min(1),
  /** Stock at or below this counts as low stock. */
  lowStockAtMost: z.number().int().min(0).default(5),
  /** Badge rules, first match wins; none: defaultBadgeRules (sold out, "Only {stock} left" at lowStockAtMost, sale). */
  badges: z.array(badgeRuleSchema).optional(),
  /** When this rule holds, show the category's best in-stock alternative. */
  swapWhen: z.unknown().default({ '<=': [{ var: 'product.stock' }, 0] }),
});
export type ProductConfig = z.infer<typeof productSchema>;

export interface ProductView {
  kind: 'product';
  /** Set when the configured product was swapped, e.g. "Wool Coat is sold out — try this instead". */
  note: string | null;
  product: ProductCardView;
  swappedFrom: { id: string; name: string } | null;
  cta: { label: string; url: string };
}

interface PreparedProduct {
  config: ProductConfig;
  badges: CompiledBadge[];
  swapWhen: CompiledRule;
}

/**
 * PRODUCT — one product with its live price, a badge chosen by rules against
 * live stock and, when sold out, the best in-stock alternative of its
 * category (README "Blocks").
 */
export const productKind: BlockKind<'product', ProductView, ProductConfig, PreparedProduct> = {
  name: 'product',
  configSchema: productSchema,
  defaultMessages: {
    ...cardMessages,
    cta: 'Shop now',
    swapNote: '{soldOutName} is sold out. You might like this instead.',
  },

  prepare(config: ProductConfig, where: string): PreparedProduct {
    return {
      config,
      badges: compileBadges(config.badges ?? defaultBadgeRules(config.lowStockAtMost), `${where}.badges`),
      swapWhen: compileRule(config.swapWhen, `${where}.swapWhen`),
    };
  },

  async resolve(rules: PreparedProduct, context: ResolveContext): Promise<ProductView> {
    const { config } = rules;
    const configured = await context.store.getProduct(config.productId);
    if (!configured) throw new HoldBack(`product ${config.productId} is not in the catalogue`);

    let shown: Product = configured;
    let swappedFrom: ProductView['swappedFrom'] = null;
    if (rules.swapWhen(withProduct(context.facts, configured))) {
      const [alternative] = await context.store.bestSellersInCategory(configured.category, 1, [configured.id]);
      if (alternative) {
        shown = alternative;
        swappedFrom = { id: configured.id, name: configured.name };
      }
    }
    return {
      kind: 'product',
      note: swappedFrom ? context.message('swapNote', { soldOutName: swappedFrom.name }) : null,
      product: productCard(shown, context, rules.badges, config.lowStockAtMost),
      swappedFrom,
      cta: { label: context.message('cta'), url: shown.url },
    };
  },

  toJson(view: ProductView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawProduct,
  theme: { height: 300 },
  notShown: ['kind', 'id', 'url', 'image', 'category', 'stockState', 'tone'],
  samples: productSamples,
  // Slot 0 is the product shown: the swapped-in one after a swap.
  clickSlots: { count: () => 1, max: 1, urls: (view) => [view.product.url] },
  productCards: {
    of: (view) => [view.product],
    with: (view, [product]) => (product ? { ...view, product } : view),
  },
};
