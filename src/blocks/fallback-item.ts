import { translationChain } from './messages';
import type { PreparedBlock } from './prepared-block';

/**
 * One item of a block's `fallback.items` (README "Blocks"): what amp-list and
 * the picture show when the block cannot show its live view. Configured
 * items are free form; the picture draws their `headline`, `message` and
 * `cta` when they have them (render/fallback-panel.ts). The fallback is not a
 * kind: it has no config, rules or view of its own, every block has one.
 */
export interface FallbackItem {
  readonly [field: string]: unknown;
}

/** A block's fallback item when its config names none: a link to its default URL. */
export function defaultFallbackItem(url: string): FallbackItem {
  return { kind: 'fallback', headline: 'See our latest offers', cta: { label: 'Shop now', url } };
}

/** The item the picture draws, and whose links a click opens, when the block shows its fallback: the first one, in the reader's language. */
export function fallbackItemOf(block: PreparedBlock, locale: string): FallbackItem {
  return fallbackItemsOf(block, locale)[0] as FallbackItem;
}

/**
 * The block's fallback items for a reader: each item's `translations` for
 * their language (`de-CH`, then `de`), else for the block's default language,
 * merged over the item (a nested object such as `cta` field by field, so a
 * translation names only the label), without the `translations` themselves.
 * The same language chain as messages (blocks/messages.ts).
 */
export function fallbackItemsOf(block: PreparedBlock, locale: string): readonly FallbackItem[] {
  const configured = block.config.fallback?.items;
  if (!configured) return [defaultFallbackItem(block.config.defaultUrl)];
  let byLocale = itemsByBlock.get(block);
  if (!byLocale) itemsByBlock.set(block, (byLocale = new Map()));
  let items = byLocale.get(locale);
  if (!items) {
    const chain = translationChain(locale, block.config.defaultLocale).reverse();
    items = Object.freeze(configured.map((item) => localizedItem(item, chain)));
    if (byLocale.size < MAX_LOCALES_PER_BLOCK) byLocale.set(locale, items);
  }
  return items;
}

/** Most locales whose fallback items a block keeps, as for its message tables. */
const MAX_LOCALES_PER_BLOCK = 200;
const itemsByBlock = new WeakMap<PreparedBlock, Map<string, readonly FallbackItem[]>>();

/** `chain` is lowest precedence first. */
function localizedItem(item: Readonly<Record<string, unknown>>, chain: readonly string[]): FallbackItem {
  const { translations, ...own } = item as { translations?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  let localized: Record<string, unknown> = own;
  for (const key of chain) {
    const translation = translations?.[key];
    if (translation) localized = mergeFields(localized, translation);
  }
  return localized;
}

function mergeFields(into: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...into };
  for (const [field, value] of Object.entries(over)) {
    const before = merged[field];
    merged[field] = isPlainObject(before) && isPlainObject(value) ? mergeFields(before, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The label of the item's call to action, when it has a non-blank one. */
export function fallbackCtaLabel(item: FallbackItem): string | null {
  const label = ctaField(item, 'label');
  return typeof label === 'string' && label.trim() !== '' ? label : null;
}

/** The URL of the item's call to action, when it has one. */
export function fallbackCtaUrl(item: FallbackItem): string | null {
  const url = ctaField(item, 'url');
  return typeof url === 'string' ? url : null;
}

function ctaField(item: FallbackItem, field: 'label' | 'url'): unknown {
  const cta = item.cta;
  return cta !== null && typeof cta === 'object' && field in cta ? (cta as Readonly<Record<string, unknown>>)[field] : undefined;
}
