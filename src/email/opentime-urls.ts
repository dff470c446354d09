import { parseImagePart, type ImagePart } from '../blocks/slots';
import type { RegisteredKind } from '../kinds/registry';
import { parseImageLayout, type ImageLayout } from '../render/layout';

/**
 * The URLs an email carries to reach Opentime, in one place:
 *   AMP (amp-list src)  {base}/amp/v1/blocks/{blockId}?t={token}
 *   image (HTML part)   {base}/img/v1/blocks/{blockId}.png?t={token}  (.gif: a kind that animates;
 *                       &slot=header|N: one part of a picture cut into parts;
 *                       &layout=narrow: the phone picture, render/layout.ts)
 *   click (HTML part)   {base}/c/v1/blocks/{blockId}/{slot}?t={token}
 */
export type ImageFormat = 'png' | 'gif';

export type OpentimeUrl =
  | { kind: 'amp'; blockId: string; token: string | null; origin: string }
  | { kind: 'image'; blockId: string; format: ImageFormat; token: string | null; origin: string; part?: ImagePart | null; layout: ImageLayout }
  | { kind: 'click'; blockId: string; slot: number; token: string | null; origin: string };

const trim = (base: string): string => base.replace(/\/+$/, '');

export function ampUrl(base: string, blockId: string, token: string): string {
  return `${trim(base)}/amp/v1/blocks/${blockId}?t=${token}`;
}

export function imageUrl(base: string, blockId: string, token: string, format: ImageFormat = 'png'): string {
  return `${trim(base)}/img/v1/blocks/${blockId}.${format}?t=${token}`;
}

export function clickUrl(base: string, blockId: string, slot: number, token: string): string {
  return `${trim(base)}/c/v1/blocks/${blockId}/${slot}?t=${token}`;
}

/** The image format the HTML part uses for a block: a GIF when its kind animates (a countdown ticks), else a PNG. */
export function imageFormatFor(kind: Pick<RegisteredKind, 'animation'>): ImageFormat {
  return kind.animation ? 'gif' : 'png';
}

const BLOCK_ID = '([a-z0-9][a-z0-9-]{0,63})';
const AMP_PATH = new RegExp(`^/amp/v1/blocks/${BLOCK_ID}$`);
const IMAGE_PATH = new RegExp(`^/img/v1/blocks/${BLOCK_ID}\\.(png|gif)$`);
const CLICK_PATH = new RegExp(`^/c/v1/blocks/${BLOCK_ID}/(\\d{1,3})$`);

/** True when the URL's path is one of ours, whatever its host; used to find the URLs to check. */
export function looksLikeOpentimePath(url: string): boolean {
  return /\/(amp|img|c)\/v1\/blocks\//.test(url);
}

/** Classifies an absolute URL by its path; null when it is not one of ours. */
export function parseOpentimeUrl(url: string): OpentimeUrl | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const token = parsed.searchParams.get('t');
  const origin = parsed.origin;
  let match = AMP_PATH.exec(parsed.pathname);
  if (match) return { kind: 'amp', blockId: match[1] as string, token, origin };
  match = IMAGE_PATH.exec(parsed.pathname);
  if (match) {
    const part = parseImagePart(parsed.searchParams.get('slot'));
    return { kind: 'image', blockId: match[1] as string, format: match[2] as ImageFormat, token, origin, part, layout: parseImageLayout(parsed.searchParams.get('layout')) };
  }
  match = CLICK_PATH.exec(parsed.pathname);
  if (match) return { kind: 'click', blockId: match[1] as string, slot: Number(match[2]), token, origin };
  return null;
}
