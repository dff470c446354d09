import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Who an answer is for, which decides how caches may keep it.
 * - `personal`: an image drawn for the subscriber in the token (their name, their picks).
 * - `generic`: an image that is the same for everyone (bad or expired token, unknown
 *   subscriber) but still live (prices, stock, a ticking countdown).
 * - `degraded`: a fallback image drawn because something failed (unknown block, data or
 *   render failure, overload). It must not outlive the failure in any cache.
 * - `static`: content that only depends on the URL (demo product pictures).
 * - `private`: personalised JSON and redirects (amp-list answers, click-throughs,
 *   reports): never stored anywhere, a new answer at every open.
 * - `operational`: health, metrics and API answers: never stored.
 */
export type ImageAudience = 'personal' | 'generic' | 'degraded' | 'static';
export type Audience = ImageAudience | 'private' | 'operational';

/**
 * The one place that decides `Cache-Control`, for every surface.
 *
 * Gmail's image proxy re-fetches an image on every open only when the answer
 * says `no-cache, max-age=0` (docs/ARCHITECTURE.md, "Facts about email clients"), and it
 * keeps whatever it got otherwise, so every live image says so. `private` keeps
 * shared caches away from personalised bytes; `must-revalidate` forbids serving
 * a stale copy when we cannot be reached. The ETag makes the revalidation cheap
 * (304 with no body) when the drawing has not changed. JSON for amp-list is
 * `private, no-store` (AMP for Email CORS answers are per sender and subscriber).
 */
export function cacheControl(audience: Audience): string {
  switch (audience) {
    case 'personal':
      return 'private, no-cache, max-age=0, must-revalidate';
    case 'generic':
      return 'public, no-cache, max-age=0, must-revalidate';
    case 'degraded':
      // no-store is stricter than no-cache: a proxy must not even keep the fallback.
      return 'private, no-cache, no-store, max-age=0, must-revalidate';
    case 'static':
      return 'public, max-age=86400';
    case 'private':
      return 'private, no-store';
    case 'operational':
      return 'no-store';
  }
}

/** A strong validator over the exact bytes: equal bytes, equal tag; any other bytes, another tag. */
export function strongEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`;
}

/**
 * Whether an `If-None-Match` header matches the current tag (RFC 9110 §13.1.2:
 * weak comparison, a list of tags or `*`). A 304 then answers without a body.
 */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const wanted = ifNoneMatch.trim();
  if (wanted === '*') return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  const current = opaque(etag);
  return wanted.split(',').some((tag) => opaque(tag) === current);
}

/**
 * Every header an image answer carries: for a 200, and for a 304 alike less the
 * length (`byteLength` null). `outcome` is what the renderer drew
 * (X-Opentime-Outcome), for block images.
 *
 * One object literal, no spreads: on Node 20 `{ ...a, ...b }` costs ~0.7 µs,
 * measurable on a cached image.
 */
export function imageResponseHeaders(input: {
  contentType: string;
  byteLength: number | null;
  etag: string;
  audience: ImageAudience;
  outcome?: string;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': input.contentType,
    'Cache-Control': cacheControl(input.audience),
    ETag: input.etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (input.byteLength !== null) headers['Content-Length'] = String(input.byteLength);
  if (input.outcome !== undefined) headers['X-Opentime-Outcome'] = input.outcome;
  return headers;
}

/**
 * Answers with an image: 304 with no body (and no Content-Length) when the
 * client already holds these bytes, else 200 with them. A degraded image is
 * never confirmed with a 304, so a client holding one fetches again.
 */
export function sendImage(
  req: IncomingMessage,
  res: ServerResponse,
  image: { bytes: Buffer; contentType: string; etag: string; audience: ImageAudience },
  outcome?: string,
): void {
  const notModified = image.audience !== 'degraded' && isNotModified(req.headers['if-none-match'], image.etag);
  const { contentType, etag, audience } = image;
  res.writeHead(notModified ? 304 : 200, imageResponseHeaders({ contentType, byteLength: notModified ? null : image.bytes.length, etag, audience, outcome }));
  res.end(notModified ? undefined : image.bytes);
}
