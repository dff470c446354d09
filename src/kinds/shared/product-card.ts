import { z } from 'zod';
import type { Product, StockState } from '../../data/model';
import { ConfigError } from '../../config';
import { countOf, formatMoney, formatPercent } from '../../format/numbers';
import { placeholderProblem } from '../../format/placeholders';
import { compileRule, type CompiledRule } from '../../rules/rule';
import { productFacts, withProduct } from '../../rules/facts';
import type { ResolveContext } from '../kind';

/**
 * One product as both renderers show it: every string formatted for this
 * subscriber. Shared by the kinds that show catalogue products (product,
 * recommendations), which declare where their cards are (`productCards`).
 */
export interface ProductCardView {
  id: string;
  name: string;
  url: string;
  image: string;
  category: string;
  /** What the subscriber pays now. */
  price: string;
  /** The regular price, shown struck through, when on sale. */
  originalPrice: string | null;
  /** e.g. "-38%" when on sale. */
  discount: string | null;
  onSale: boolean;
  stockState: StockState;
  badge: { text: string; tone: BadgeTone } | null;
}

export const badgeTones = ['info', 'success', 'warning', 'danger'] as const;
export type BadgeTone = (typeof badgeTones)[number];

export const badgeRuleSchema = z.strictObject({
  when: z.unknown(),
  /** A message key (see cardMessages) or literal text, with {stock}, {discount}, {name} placeholders. */
  text: z.string().min(1),
  tone: z.enum(badgeTones).default('info'),
});
export type BadgeRuleConfig = z.infer<typeof badgeRuleSchema>;

/**
 * The badges a product block gets when its config names none. "Only {stock}
 * left" uses the block's own low-stock threshold, so the badge and the view's
 * `stockState` always agree.
 */
export function defaultBadgeRules(lowStockAtMost: number): BadgeRuleConfig[] {
  return [
    { when: { '<=': [{ var: 'product.stock' }, 0] }, text: 'badgeSoldOut', tone: 'danger' },
    { when: { '<=': [{ var: 'product.stock' }, lowStockAtMost] }, text: 'badgeLowStock', tone: 'warning' },
    { when: { var: 'product.onSale' }, text: 'badgeSale', tone: 'success' },
  ];
}

/**
 * Badge texts are message keys (translatable per locale) or literal text;
 * both may use {stock}, {discount} and {name}.
 */
export const cardMessages = {
  badgeSoldOut: 'Sold out',
  badgeLowStock: 'Only {stock} left',
  badgeSale: '{discount} today',
} as const;

/** What a badge's text (a message key or literal text) may name: productCard and lock marks fill exactly these. */
export const BADGE_PLACEHOLDERS = ['stock', 'discount', 'name'] as const;

/** The placeholders of cardMessages, for the kinds that show cards (BlockKind.placeholders). */
export const cardPlaceholders = {
  badgeSoldOut: BADGE_PLACEHOLDERS,
  badgeLowStock: BADGE_PLACEHOLDERS,
  badgeSale: BADGE_PLACEHOLDERS,
} as const satisfies Record<keyof typeof cardMessages, readonly string[]>;

export interface CompiledBadge {
  when: CompiledRule;
  text: string;
  tone: BadgeTone;
}

export function compileBadges(rules: readonly BadgeRuleConfig[], where: string): CompiledBadge[] {
  return rules.map((rule, index) => {
    // Literal badge text is filled like the badge messages; a message key's own text is checked with the block's messages.
    const problem = placeholderProblem(rule.text, BADGE_PLACEHOLDERS);
    if (problem) throw new ConfigError(`${where}[${index}].text: ${problem}`);
    return { when: compileRule(rule.when, `${where}[${index}].when`), text: rule.text, tone: rule.tone };
  });
}

export function stockStateOf(product: Product, lowStockAtMost: number): StockState {
  if (product.stock <= 0) return 'sold_out';
  return product.stock <= lowStockAtMost ? 'low_stock' : 'in_stock';
}

/** Formats a product for this open and picks its badge from the rules, against live stock. */
export function productCard(
  product: Product,
  context: ResolveContext,
  badges: readonly CompiledBadge[],
  lowStockAtMost: number,
): ProductCardView {
  const locale = context.open.locale;
  const facts = withProduct(context.facts, product);
  const { onSale, discountPercent } = productFacts(product);
  const discount = onSale ? `-${formatPercent(discountPercent / 100, locale)}` : null;
  const badge = badges.find((candidate) => candidate.when(facts));
  return {
    id: product.id,
    name: product.name,
    url: product.url,
    image: product.image,
    category: product.category,
    price: formatMoney(onSale ? (product.salePrice as number) : product.price, product.currency, locale),
    originalPrice: onSale ? formatMoney(product.price, product.currency, locale) : null,
    discount,
    onSale,
    stockState: stockStateOf(product, lowStockAtMost),
    badge: badge
      ? { text: context.message(badge.text, { stock: countOf(product.stock, locale), discount: discount ?? '', name: product.name } satisfies Record<(typeof BADGE_PLACEHOLDERS)[number], unknown>), tone: badge.tone }
      : null,
  };
}
