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
  cardPlaceholders,
  compileBadges,
  defaultBadgeRules,
  productCard,
  type CompiledBadge,
  type ProductCardView,
} from '../shared/product-card';
import { BlockMarket, marketBlockOptions } from '../shared/block-market';
import { drawProduct } from './draw';
import { productNarrow } from './draw-narrow';
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
  ...marketBlockOptions,
});
export type ProductConfig = z.infer<typeof productSchema>;

export interface ProductView {
  kind: 'product';
  /** Set when the configured product was swapped because swapWhen held, e.g. "Wool Coat is sold out — try this instead". */
  note: string | null;
  product: ProductCardView;
  /** The configured product when swapWhen held and another is shown; null otherwise (also when it is not sold in the market). */
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
 * category (README "Blocks"). A product not sold in the subscriber's market,
 * or without a price in their currency, gives way to that alternative too,
 * without a note (there is nothing to tell them), or to the fallback.
 */
export const productKind: BlockKind<'product', ProductView, ProductConfig, PreparedProduct> = {
  name: 'product',
  configSchema: productSchema,
  defaultMessages: {
    ...cardMessages,
    cta: 'Shop now',
    swapNote: '{soldOutName} is sold out. You might like this instead.',
  },
  placeholders: { ...cardPlaceholders, cta: [], swapNote: ['soldOutName'] },

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

    const market = new BlockMarket(context, config.defaultCurrency);
    const inMarket = market.show(configured);
    let shown: Product | undefined = inMarket;
    let swappedFrom: ProductView['swappedFrom'] = null;
    if (inMarket === undefined || rules.swapWhen(withProduct(context.facts, inMarket))) {
      let alternative: Product | undefined;
      await market.fill(
        (limit, exclude) => context.store.bestSellersInCategory(configured.category, limit, exclude),
        [configured.id],
        1,
        (candidate) => (alternative = market.show(candidate)) !== undefined,
      );
      if (alternative) {
        shown = alternative;
        swappedFrom = inMarket ? { id: configured.id, name: configured.name } : null;
      }
    }
    if (shown === undefined) {
      const { country, currency } = market.market;
      throw new HoldBack(`product ${configured.id} is not sold in ${country ?? 'an unknown country'} or has no price in ${currency ?? configured.currency}, and no alternative is`);
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
  narrow: productNarrow,
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
