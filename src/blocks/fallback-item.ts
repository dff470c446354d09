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

/** The item the picture draws, and whose links a click opens, when the block shows its fallback: the first one. */
export function fallbackItemOf(block: PreparedBlock): FallbackItem {
  return block.config.fallback?.items[0] ?? defaultFallbackItem(block.config.defaultUrl);
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
