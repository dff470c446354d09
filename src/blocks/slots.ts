import type { CountdownView } from './countdown';
import type { BlockView, PreparedBlock } from './kind';
import type { LoyaltyView } from './loyalty';
import type { ProductView } from './product';
import type { RecommendationsView } from './recommendations';

/**
 * What a click on each slot of a drawn block should open: slot i is the i-th
 * link-bearing thing the picture shows. The HTML part links slot i of a block to
 * `/c/v1/blocks/:blockId/:i?t=…`, so a click lands on exactly what the picture
 * showed, even when a sold-out product was swapped for another.
 *
 * - product: slot 0 is the product shown (the swapped-in one after a swap);
 * - recommendations: slot i is the i-th product card;
 * - countdown, loyalty and the fallback: slot 0 is the call to action.
 */
export function slotUrls(view: BlockView): string[] {
  switch (view.kind) {
    case 'product':
      return [(view as ProductView).product.url];
    case 'recommendations':
      return (view as RecommendationsView).products.map((product) => product.url);
    case 'countdown':
      return [(view as CountdownView).cta.url];
    case 'loyalty':
      return [(view as LoyaltyView).cta.url];
    default: {
      // The fallback item, or a kind added later: its call to action when it has one.
      const cta = (view as { cta?: { url?: unknown } }).cta;
      return typeof cta?.url === 'string' ? [cta.url] : [];
    }
  }
}

/** The highest slot index a block of any kind can have (recommendations hold at most 12). */
export const MAX_SLOT = 11;

/**
 * Only absolute http(s) URLs are ever redirected to. They come from our own
 * catalogue and block config, but a product feed is still outside input: a
 * `javascript:` or relative URL there must not become a redirect.
 */
export function isRedirectableUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** How many slots a block's picture can have (the links the HTML part may point at): a recommendations row's `count`, else one. */
export function slotCount(block: PreparedBlock | undefined): number {
  if (!block || block.kind.name !== 'recommendations') return 1;
  return (block.config as { count?: number }).count ?? 1;
}

/**
 * A part of a block's picture, asked for with `?slot=` on its image URL
 * (render/image-parts.ts): `header` is the title band, a number one card's
 * column, which the HTML part links to the same slot's click URL.
 */
export type ImagePart = 'header' | number;

/** Card slots a picture can be cut into at most (recommendations show up to 12). */
const MAX_PART_SLOT = 99;

/** `?slot=` as a part: undefined without the parameter (the whole picture), null for a value that names no part. */
export function parseImagePart(value: string | null | undefined): ImagePart | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (value === 'header') return 'header';
  if (/^\d{1,2}$/.test(value) && Number(value) <= MAX_PART_SLOT) return Number(value);
  return null;
}
