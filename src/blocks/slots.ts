import { isBlockView, withKind, type ShownView } from '../kinds/kind-of-view';
import { allKinds } from '../kinds/registry';
import { fallbackCtaUrl } from './fallback-item';
import type { PreparedBlock } from './prepared-block';

/**
 * What a click on each slot of a drawn block should open: slot i is the i-th
 * link-bearing thing the picture shows, as the block's kind declares it
 * (`clickSlots`, kinds/kind.ts). The HTML part links slot i of a block to
 * `/c/v1/blocks/:blockId/:i?t=…`, so a click lands on exactly what the picture
 * showed, even when a sold-out product was swapped for another. A fallback
 * item's slot 0 is its call to action, when it has one.
 */
export function slotUrls(view: ShownView): string[] {
  if (isBlockView(view)) return withKind(view, (kind, own) => kind.clickSlots.urls(own));
  const url = fallbackCtaUrl(view);
  return url === null ? [] : [url];
}

/** The highest slot index a block of any kind can have. */
export const MAX_SLOT = Math.max(...allKinds.map((kind) => kind.clickSlots.max)) - 1;

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

/** How many slots a block's picture can have (the links the HTML part may point at); one for an unknown block. */
export function slotCount(block: PreparedBlock | undefined): number {
  return block ? block.slotCount : 1;
}

/**
 * A part of a block's picture, asked for with `?slot=` on its image URL
 * (render/image-parts.ts): `header` is the title band, a number one card's
 * column, which the HTML part links to the same slot's click URL.
 */
export type ImagePart = 'header' | number;

/** Card slots `?slot=` may name at most: a bound for parsing, above any kind's `clickSlots.max`. */
const MAX_PART_SLOT = 99;

/** `?slot=` as a part: undefined without the parameter (the whole picture), null for a value that names no part. */
export function parseImagePart(value: string | null | undefined): ImagePart | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (value === 'header') return 'header';
  if (/^\d{1,2}$/.test(value) && Number(value) <= MAX_PART_SLOT) return Number(value);
  return null;
}
