import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';
import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log';
import { InFlight } from '../in-flight';
import { demoProductPng } from './demo-product-image';
import { encodeCanvasPng } from './encode';

/**
 * Product pictures for the image renderer: fetched from the product's image URL
 * with a short wait, decoded once, kept in a bounded cache, and never fetched
 * twice at the same time. A picture that fails or is slow is `null`, and the
 * card draws its placeholder: an image must never hold an email open.
 *
 * SSRF: product data comes from feeds and APIs, so an image URL is untrusted.
 * Only hosts on the allowlist are fetched; every address the name resolves to
 * must be public unicast (no loopback, private, link-local, CGNAT, unique-local,
 * NAT64, multicast or reserved ranges) unless private addresses are allowed by
 * configuration. The check runs inside the socket's DNS lookup, so the address
 * checked is the address connected to (no DNS-rebinding window). Redirects are
 * followed only to the same host, and checked again.
 */

export interface ImageLoaderOptions {
  /**
   * Hosts product images may be fetched from: exact names ("cdn.shop.example"),
   * "*.shop.example" for any subdomain, or "*" for any public host. Empty (the
   * default): no remote host; only this server's demo pictures load.
   */
  allowedHosts?: readonly string[];
  /** How long a render waits for a picture that is not cached (default 300 ms). */
  timeoutMs?: number;
  /**
   * How long a fetch may run on after the render stopped waiting, so the next
   * open finds the picture cached (default 5000 ms).
   */
  fetchTimeoutMs?: number;
  /** Allow loopback, private and link-local addresses (tests, or an image host on the LAN). */
  allowPrivateAddresses?: boolean;
  /**
   * This server's public URL. Pictures under `${publicUrl}/demo/products/` are
   * drawn in-process instead of fetched: the public URL often does not route
   * back to the server itself (TLS terminator, container), it is usually a
   * loopback address the SSRF rules refuse, and a request to ourselves per card
   * would cost a socket and a round trip for bytes we can draw directly.
   */
  publicUrl?: string;
  /** Largest response accepted (default 5 MB). */
  maxBytes?: number;
  /** Decoded pictures kept, in bytes of RGBA (default 128 MB). */
  maxCacheBytes?: number;
  /** A loaded picture is fetched again after this long (default 1 hour). */
  ttlMs?: number;
  /** A failed picture is retried after this long (default 30 s), so a down host costs one wait, not one per open. */
  failureTtlMs?: number;
  /** Pictures larger than this on either side are scaled down once, at load (default 1200 px). */
  maxDimension?: number;
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

export interface ImageLoaderStats {
  hits: number;
  misses: number;
  joined: number;
  failures: number;
}

export interface ImageLoader {
  /** The decoded picture, or null when it is not allowed, fails, or does not arrive within the wait. */
  load(url: string): Promise<Image | null>;
  /** Every URL at once (each de-duplicated and cached). */
  loadAll(urls: readonly string[]): Promise<Map<string, Image | null>>;
  /**
   * What loadAll would answer, without waiting, when every URL is already
   * settled in the cache (loaded, or failed within the failure TTL); else
   * undefined. The common case of an open: a cached image then costs no
   * promise at all.
   */
  settledAll(urls: readonly string[]): Map<string, Image | null> | undefined;
  stats(): ImageLoaderStats;
  /** Aborts fetches still running. */
  close(): void;
}

/** Why a picture was not loaded; for the log line. */
export class ImageLoadError extends Error {
  override name = 'ImageLoadError';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
const DEMO_FILE = /^([a-z0-9][a-z0-9-]{0,99})\.png$/;

/** Public unicast only. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. */
export function isPublicAddress(address: string): boolean {
  try {
    return ipaddr.process(address).range() === 'unicast';
  } catch {
    return false;
  }
}

/** Host allowlist matching: exact name, "*.domain" (subdomains only), or "*". Case-insensitive. */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allowedHosts.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule === '*') return true;
    if (rule.startsWith('*.')) return host.endsWith(rule.slice(1)) && host.length > rule.length - 1;
    return host === rule;
  });
}

/**
 * A response's body, read up to `maxBytes` (also the feed fetcher's, sources/feed-fetch.ts): a
 * longer one, by its Content-Length or as it streams in, is cut off and refused with `tooLarge`
 * (given the declared length, or null when the stream ran over) rather than buffered whole.
 */
export async function readCappedBody(res: http.IncomingMessage, maxBytes: number, tooLarge: (declaredBytes: number | null) => Error): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      res.destroy();
      throw tooLarge(null);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A DNS lookup that refuses names resolving to any non-public address (also the feed fetcher's, sources/feed-fetch.ts). */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
      if (refused || addresses.length === 0) {
        const reason = refused ? `${hostname} resolves to a non-public address (${refused.address})` : `${hostname} has no address`;
        return callback(Object.assign(new ImageLoadError(reason), { code: 'EADDRNOTPUBLIC' }), '', 0);
      }
      if (options.all) {
        (callback as unknown as (err: null, addresses: dns.LookupAddress[]) => void)(null, addresses);
      } else {
        const first = addresses[0] as dns.LookupAddress;
        callback(null, first.address, first.family);
      }
    });
  };
}

function hasImageSignature(bytes: Buffer): boolean {
  const startsWith = (...signature: number[]): boolean => signature.every((byte, i) => bytes[i] === byte);
  return (
    startsWith(0x89, 0x50, 0x4e, 0x47) || // PNG
    startsWith(0xff, 0xd8, 0xff) || // JPEG
    startsWith(0x47, 0x49, 0x46, 0x38) || // GIF8
    (startsWith(0x52, 0x49, 0x46, 0x46) && bytes.toString('latin1', 8, 12) === 'WEBP') ||
    bytes.toString('latin1', 4, 12) === 'ftypavif'
  );
  // Deliberately not SVG: a vector document from a third party is not a product photo.
}

export function createImageLoader(options: ImageLoaderOptions = {}): ImageLoader {
  const allowedHosts = options.allowedHosts ?? [];
  const waitMs = Math.max(1, options.timeoutMs ?? 300);
  const fetchMs = Math.max(waitMs, options.fetchTimeoutMs ?? 5000);
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const maxDimension = options.maxDimension ?? 1200;
  const failureTtl = Math.max(1, options.failureTtlMs ?? 30_000);
  const allowPrivate = options.allowPrivateAddresses ?? false;
  const demoPrefix = options.publicUrl ? `${options.publicUrl.replace(/\/+$/, '')}/demo/products/` : undefined;
  const lookup = guardedLookup(allowPrivate);
  const agents = { 'http:': new http.Agent({ keepAlive: false }), 'https:': new https.Agent({ keepAlive: false }) };
  const running = new Set<AbortController>();
  const counters: ImageLoaderStats = { hits: 0, misses: 0, joined: 0, failures: 0 };

  // `false` remembers a failure for failureTtl.
  const cache = new LRUCache<string, Image | false>({
    maxSize: options.maxCacheBytes ?? 128 * 1024 * 1024,
    sizeCalculation: (image) => (image ? Math.max(1, image.width * image.height * 4) : 64),
    ttl: Math.max(1, options.ttlMs ?? 3_600_000),
  });
  const inFlight = new InFlight<string, Image | null>();

  function request(url: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const get = url.protocol === 'https:' ? https.get : http.get;
      const req = get(url, {
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup,
        signal,
        headers: { accept: 'image/png,image/jpeg,image/webp,image/gif,image/avif', 'user-agent': 'Opentime-image-loader' },
      });
      req.once('response', resolve);
      req.once('error', reject);
    });
  }

  async function fetchBytes(start: URL, signal: AbortSignal): Promise<Buffer> {
    let url = start;
    for (let redirects = 0; ; redirects++) {
      const res = await request(url, signal);
      if (REDIRECTS.has(res.statusCode ?? 0) && res.headers.location) {
        res.resume();
        const next = new URL(res.headers.location, url);
        if (redirects >= MAX_REDIRECTS) throw new ImageLoadError(`more than ${MAX_REDIRECTS} redirects`);
        if (next.hostname.toLowerCase() !== url.hostname.toLowerCase() || !['http:', 'https:'].includes(next.protocol)) {
          throw new ImageLoadError(`redirect to another host (${next.protocol}//${next.host}) refused`);
        }
        url = next;
        continue;
      }
      if (res.statusCode !== 200) {
        res.resume();
        throw new ImageLoadError(`HTTP ${res.statusCode}`);
      }
      return readCappedBody(res, maxBytes, (declared) => new ImageLoadError(declared === null ? `over the ${maxBytes}-byte limit` : `${declared} bytes is over the ${maxBytes}-byte limit`));
    }
  }

  async function decode(bytes: Buffer): Promise<Image> {
    if (!hasImageSignature(bytes)) throw new ImageLoadError('not a PNG, JPEG, WebP, GIF or AVIF image');
    const image = await loadImage(bytes);
    if (!(image.width > 0 && image.height > 0)) throw new ImageLoadError('image has no pixels');
    const longest = Math.max(image.width, image.height);
    if (longest <= maxDimension) return image;
    // Scale down once here rather than on every draw, and keep the cache small.
    const ratio = maxDimension / longest;
    const canvas = createCanvas(Math.max(1, Math.round(image.width * ratio)), Math.max(1, Math.round(image.height * ratio)));
    canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
    return loadImage(await encodeCanvasPng(canvas));
  }

  async function fetchImage(url: string): Promise<Image> {
    if (demoPrefix && url.startsWith(demoPrefix)) {
      const match = DEMO_FILE.exec(url.slice(demoPrefix.length));
      const png = match ? await demoProductPng(match[1] as string) : null;
      if (!png) throw new ImageLoadError('no such demo product picture');
      return loadImage(png);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ImageLoadError('not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ImageLoadError(`${parsed.protocol} URLs are not fetched`);
    if (parsed.username || parsed.password) throw new ImageLoadError('URLs with credentials are not fetched');
    if (!hostAllowed(parsed.hostname, allowedHosts)) {
      throw new ImageLoadError(`host ${parsed.hostname} is not on the image host allowlist (OPENTIME_IMAGE_HOSTS)`);
    }
    // IP literals never reach the lookup hook, so they are checked here.
    const literal = parsed.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(literal) && !allowPrivate && !isPublicAddress(literal)) {
      throw new ImageLoadError(`${literal} is not a public address`);
    }
    const controller = new AbortController();
    running.add(controller);
    const timer = setTimeout(() => controller.abort(new ImageLoadError(`no answer within ${fetchMs} ms`)), fetchMs);
    try {
      return await decode(await fetchBytes(parsed, controller.signal));
    } finally {
      clearTimeout(timer);
      running.delete(controller);
    }
  }

  function start(url: string): Promise<Image | null> {
    const job = fetchImage(url).then(
      (image) => {
        cache.set(url, image);
        return image;
      },
      (error: unknown) => {
        counters.failures++;
        cache.set(url, false, { ttl: failureTtl });
        const reason = error instanceof Error ? error.message : String(error);
        options.logger?.warn({ image: loggableImageUrl(url), reason }, 'product image not loaded; drawing the placeholder');
        return null;
      },
    );
    return job;
  }

  async function load(url: string): Promise<Image | null> {
    const cached = cache.get(url);
    if (cached !== undefined) {
      counters.hits++;
      return cached || null;
    }
    let job = inFlight.get(url);
    if (job) counters.joined++;
    else {
      counters.misses++;
      job = inFlight.run(url, () => start(url));
    }
    // The render waits at most waitMs; the fetch itself may run on and fill the cache for the next open.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), waitMs);
    });
    try {
      return await Promise.race([job, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    load,
    async loadAll(urls) {
      const unique = [...new Set(urls)];
      const images = await Promise.all(unique.map((url) => load(url)));
      return new Map(unique.map((url, i) => [url, images[i] ?? null]));
    },
    settledAll(urls) {
      const images = new Map<string, Image | null>();
      for (const url of urls) {
        const cached = cache.get(url);
        if (cached === undefined) return undefined;
        images.set(url, cached || null);
      }
      counters.hits += images.size;
      return images;
    },
    stats: () => ({ ...counters }),
    close() {
      for (const controller of running) controller.abort(new ImageLoadError('image loader closed'));
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/**
 * A picture URL as the log may keep it. Product data is untrusted and may carry secrets in the URL
 * (`https://user:password@cdn…`, a signed query such as `?X-Amz-Signature=…`): credentials become
 * `***@`, and query values `***`, keeping the names, host and path that say which picture failed.
 */
export function loggableImageUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL, but it may still hold "//user:pw@" or a query: cut both.
    return url.replace(/\/\/[^/?#]*@/, '//***@').replace(/[?#].*$/s, '').slice(0, 300);
  }
  // data: and other host-less URLs: the scheme says enough, the rest is payload.
  if (!parsed.host) return `${parsed.protocol}…`;
  const credentials = parsed.username || parsed.password ? '***@' : '';
  const query = [...parsed.searchParams.keys()].map((name) => `${name}=***`).join('&');
  return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${query ? `?${query}` : ''}`.slice(0, 300);
}
