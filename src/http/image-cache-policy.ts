import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Who an image response is for, which decides how caches may keep it.
 * - `personal`: drawn for the subscriber in the token (their name, their picks).
 * - `generic`: the same for everyone (bad or expired token, unknown subscriber)
 *   but still live (prices, stock, a ticking countdown).
 * - `degraded`: a fallback drawn because something failed (unknown block, data or
 *   render failure). It must not outlive the failure in any cache.
 * - `static`: content that only depends on the URL (demo product pictures).
 */
export type ImageAudience = 'personal' | 'generic' | 'degraded' | 'static';

/**
 * The one place that decides `Cache-Control` for images.
 *
 * Gmail's image proxy re-fetches an image on every open only when the answer
 * says `no-cache, max-age=0` (DESIGN.md, "Facts about images in email"), and it
 * keeps whatever it got otherwise, so every live image says so. `private` keeps
 * shared caches away from personalised bytes; `must-revalidate` forbids serving
 * a stale copy when we cannot be reached. The ETag makes the revalidation cheap
 * (304 with no body) when the drawing has not changed.
 */
export function imageCacheControl(audience: ImageAudience): string {
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

/** Every header an image answer carries, for a 200 and for a 304 alike (less the length on a 304). */
export function imageResponseHeaders(input: {
  contentType: string;
  byteLength: number;
  etag: string;
  audience: ImageAudience;
}): Record<string, string> {
  return {
    'Content-Type': input.contentType,
    'Content-Length': String(input.byteLength),
    'Cache-Control': imageCacheControl(input.audience),
    ETag: input.etag,
    'X-Content-Type-Options': 'nosniff',
  };
}

/**
 * Answers with an image: 304 with no body (and no Content-Length) when the
 * client already holds these bytes, else 200 with them. A degraded image is
 * never confirmed with a 304, so a client holding one fetches again.
 * `extraHeaders` go after the policy's own.
 */
export function sendImage(
  req: IncomingMessage,
  res: ServerResponse,
  image: { bytes: Buffer; contentType: string; etag: string; audience: ImageAudience },
  extraHeaders: Record<string, string> = {},
): void {
  const headers = { ...imageResponseHeaders({ contentType: image.contentType, byteLength: image.bytes.length, etag: image.etag, audience: image.audience }), ...extraHeaders };
  if (image.audience !== 'degraded' && isNotModified(req.headers['if-none-match'], image.etag)) {
    const { 'Content-Length': _length, ...withoutLength } = headers;
    res.writeHead(304, withoutLength);
    res.end();
    return;
  }
  res.writeHead(200, headers);
  res.end(image.bytes);
}
