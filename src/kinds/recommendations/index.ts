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
import { drawRecommendations, recommendationsLayout } from './draw';
import { recommendationsNarrow } from './draw-narrow';
import { recommendationsSamples } from './samples';

const historySources = ['cart', 'recentViews'] as const;

/** The most picks a block may show; each is a click slot of its own. */
const MAX_PICKS = 12;

const recommendationsSchema = baseBlockSchema.extend({
  kind: z.literal('recommendations'),
  count: z.number().int().min(1).max(MAX_PICKS).default(4),
  /** Which parts of the subscriber's history seed the picks, in priority order. */
  sources: z.array(z.enum(historySources)).min(1).default(['cart', 'recentViews']),
  /** How many history entries per source are read: bounds the work per open. */
  historyDepth: z.number().int().min(1).max(100).default(20),
  /** A candidate is dropped when this holds; by default anything already bought. */
  excludeWhen: z.unknown().default({ in: [{ var: 'product.id' }, { var: 'subscriber.purchases' }] }),
  /** Shown, in stock and not excluded, when history and category best-sellers run short. */
  defaultProductIds: z.array(z.string().min(1)).default([]),
  lowStockAtMost: z.number().int().min(0).default(5),
  /** Default: defaultBadgeRules at this block's lowStockAtMost, less "sold out" (picks are in stock). */
  badges: z.array(badgeRuleSchema).optional(),
  ...marketBlockOptions,
});
export type RecommendationsConfig = z.infer<typeof recommendationsSchema>;

export interface RecommendationsView {
  kind: 'recommendations';
  title: string;
  products: ProductCardView[];
  /** Where each pick came from, for the render log and debugging. */
  sources: ('history' | 'category' | 'default' | 'bestsellers')[];
  cta: { label: string; url: string };
}

interface PreparedRecommendations {
  config: RecommendationsConfig;
  excludeWhen: CompiledRule;
  badges: CompiledBadge[];
}

type PickSource = RecommendationsView['sources'][number];

/**
 * Picks N in-stock products: the subscriber's own history first, then the
 * best-sellers of the categories they looked at, then the configured default
 * list, then the shop's best-sellers. Only products sold in the subscriber's
 * market with a price in its currency qualify (BlockMarket): one that does
 * not gives way to the next candidate. Every read is by primary key or served
 * by the best-seller index, so the cost does not grow with the catalogue.
 */
async function pick(prepared: PreparedRecommendations, context: ResolveContext): Promise<{ product: Product; source: PickSource }[]> {
  const { config, excludeWhen } = prepared;
  const { store, facts } = context;
  const subscriber = context.open.subscriber;
  const market = new BlockMarket(context, config.defaultCurrency);
  const picks: { product: Product; source: PickSource }[] = [];
  const seen = new Set<string>();
  /** Picks the product as the market shows it when it qualifies; every product is considered once. */
  const offer = (product: Product, source: PickSource): boolean => {
    if (picks.length >= config.count || seen.has(product.id)) return false;
    seen.add(product.id);
    const shown = market.show(product);
    if (!shown || shown.stock <= 0 || excludeWhen(withProduct(facts, shown))) return false;
    market.settle(shown);
    picks.push({ product: shown, source });
    return true;
  };
  const offerAll = (products: readonly Product[], source: PickSource): void => {
    for (const product of products) offer(product, source);
  };

  const historyIds = subscriber ? [...new Set(config.sources.flatMap((source) => subscriber[source].slice(0, config.historyDepth)))] : [];
  const history = historyIds.length ? await store.getProducts(historyIds) : [];
  offerAll(history, 'history');

  // Sold-out or already-bought items still tell us what the subscriber likes.
  const categories = [...new Set(history.map((product) => product.category))];
  const alreadyBought = subscriber ? subscriber.purchases.slice(0, config.historyDepth) : [];
  for (const category of categories) {
    if (picks.length >= config.count) break;
    await market.fill(
      (limit, exclude) => store.bestSellersInCategory(category, limit, exclude),
      [...seen, ...alreadyBought],
      config.count - picks.length,
      (product) => offer(product, 'category'),
    );
  }
  if (picks.length < config.count && config.defaultProductIds.length) {
    offerAll(await store.getProducts(config.defaultProductIds), 'default');
  }
  if (picks.length < config.count) {
    await market.fill(
      (limit, exclude) => store.bestSellers(limit, exclude),
      [...seen, ...alreadyBought],
      config.count - picks.length,
      (product) => offer(product, 'bestsellers'),
    );
  }
  return picks;
}

/**
 * RECOMMENDATIONS — N in-stock products picked for the subscriber (README
 * "Blocks"). Each card is a click slot, and its picture can be cut into the
 * title band and one part per card, so the HTML part links each card in a
 * cell of its own.
 */
export const recommendationsKind: BlockKind<'recommendations', RecommendationsView, RecommendationsConfig, PreparedRecommendations> = {
  name: 'recommendations',
  configSchema: recommendationsSchema,
  defaultMessages: {
    ...cardMessages,
    title: 'Picked for you, {firstName}',
    genericTitle: 'Our best-sellers',
    cta: 'See more',
  },
  placeholders: { ...cardPlaceholders, title: ['firstName'], genericTitle: [], cta: [] },

  prepare(config: RecommendationsConfig, where: string): PreparedRecommendations {
    return {
      config,
      excludeWhen: compileRule(config.excludeWhen, `${where}.excludeWhen`),
      badges: compileBadges(config.badges ?? defaultBadgeRules(config.lowStockAtMost).filter((rule) => rule.text !== 'badgeSoldOut'), `${where}.badges`),
    };
  },

  async resolve(prepared: PreparedRecommendations, context: ResolveContext): Promise<RecommendationsView> {
    const picks = await pick(prepared, context);
    if (picks.length === 0) throw new HoldBack('no product qualifies for recommendations');
    const subscriber = context.open.subscriber;
    return {
      kind: 'recommendations',
      title: subscriber ? context.message('title', { firstName: subscriber.firstName }) : context.message('genericTitle'),
      products: picks.map(({ product }) => productCard(product, context, prepared.badges, prepared.config.lowStockAtMost)),
      sources: picks.map(({ source }) => source),
      cta: { label: context.message('cta'), url: prepared.config.defaultUrl },
    };
  },

  toJson(view: RecommendationsView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawRecommendations,
  narrow: recommendationsNarrow,
  theme: { height: 360, fontSizes: { headline: 20, title: 13, price: 15, small: 11 } },
  notShown: ['kind', 'id', 'url', 'image', 'category', 'stockState', 'tone', 'sources'],
  samples: recommendationsSamples,
  // Slot i is the i-th card.
  clickSlots: { count: (config) => config.count, max: MAX_PICKS, urls: (view) => view.products.map((product) => product.url) },
  productCards: { of: (view) => view.products, with: (view, products) => ({ ...view, products: [...products] }) },
  parts: recommendationsLayout,
};
