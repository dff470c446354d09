import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { InFlight } from '../in-flight';
import type { BackgroundQueue } from './background-queue';

/** Encoded bytes ready to send, with their validator. */
export interface RenderedImage {
  bytes: Buffer;
  contentType: 'image/png' | 'image/gif';
  etag: string;
}

export interface RenderCacheOptions {
  /** Total bytes of encoded images and their keys kept (default 64 MB). */
  maxBytes?: number;
  /** Longest an entry is kept (default 10 minutes); renders drawn with a missing product image use `ttlMs` per entry. */
  ttlMs?: number;
  /** Re-encoding of renderings that are served again and again; none: they stay as first encoded. */
  optimize?: RenderOptimizing;
  /** Milliseconds of the clock that times entries out (the app's clock, so tests step time instead of sleeping); default: performance.now. */
  clock?: () => number;
}

/**
 * A rendering served from the cache `afterHits` times is handed to `run` in
 * the background (one at a time, on `queue`), and the cached bytes are
 * replaced by what it returns, with their own ETag; null keeps the original.
 * The first open of a rendering never waits for this: a cold render stays a
 * cold render, and only popular pictures (a shared sold-out card, a
 * subscriber who opens again and again) pay for, and gain from, the work.
 */
export interface RenderOptimizing {
  afterHits: number;
  /**
   * Renderings with less time than this left in the cache are not worth the
   * work (a running countdown's, kept 2 s; one drawn with a placeholder, 10 s).
   * Default 30 s.
   */
  minTimeLeftMs?: number;
  run: (image: RenderedImage) => Promise<RenderedImage | null>;
  queue: BackgroundQueue;
}

export interface RenderCacheStats {
  hits: number;
  misses: number;
  /** Requests that arrived while the same rendering was in progress and shared it. */
  joined: number;
  entries: number;
  bytes: number;
  /** Renderings whose bytes were replaced by a smaller encoding. */
  optimized: number;
}

/**
 * The key of a rendering: everything that decides its pixels. Views hold every
 * visible string already formatted (docs/ARCHITECTURE.md, "Views"), so two opens with equal views,
 * theme, scale and output draw the same bytes, whoever the subscriber is.
 *
 * The key is the serialised view itself, not a digest of it: hashing 1–3 KB
 * with SHA-256 on every cached image open cost more than the map lookup it
 * saves, and V8 hashes a string key once. The cache counts key bytes in its
 * size bound (see RenderCache).
 */
export function renderCacheKey(parts: {
  output: 'png' | 'gif';
  /** A part of the picture (image-parts.ts), '' for the whole. */
  part?: string;
  scale: number;
  theme: object;
  /** One view, or the frames of an animation. */
  views: unknown;
  /** Which product images were available (a missing one draws a placeholder). */
  images: readonly boolean[];
}): string {
  let pictures = '';
  for (const present of parts.images) pictures += present ? '1' : '0';
  return `${parts.output}${parts.part ? `#${parts.part}` : ''}|${parts.scale}|${themeFingerprint(parts.theme)}|${pictures}|${JSON.stringify(parts.views)}`;
}

/**
 * Themes are built once per block (and variant) at start-up and never change,
 * so each is serialised and digested once: doing it per request was most of
 * the key's cost.
 */
const themeFingerprints = new WeakMap<object, string>();

function themeFingerprint(theme: object): string {
  let fingerprint = themeFingerprints.get(theme);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256').update(JSON.stringify(theme)).digest('base64url');
    themeFingerprints.set(theme, fingerprint);
  }
  return fingerprint;
}

interface Entry {
  image: RenderedImage;
  /** Times served from the cache. */
  hits: number;
  /** Handed to the optimizer already (queued, done, or found not worth it). */
  optimizing: boolean;
}

/**
 * Bounded LRU of encoded images with in-flight de-duplication: when 100
 * subscribers open the same sold-out card at once, it is drawn and encoded once
 * and the other 99 wait for that result. A failed rendering is not cached.
 */
export class RenderCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly inFlight = new InFlight<string, RenderedImage>();
  private readonly counters = { hits: 0, misses: 0, joined: 0, optimized: 0 };
  private readonly optimize: RenderOptimizing | undefined;

  constructor(options: RenderCacheOptions = {}) {
    this.optimize = options.optimize;
    this.entries = new LRUCache<string, Entry>({
      maxSize: Math.max(1, options.maxBytes ?? 64 * 1024 * 1024),
      // Keys are views of a few KB (renderCacheKey): counted too, at two bytes a character.
      sizeCalculation: (entry, key) => Math.max(1, entry.image.bytes.length + key.length * 2),
      ttl: Math.max(1, options.ttlMs ?? 10 * 60_000),
      ttlAutopurge: false,
      ...(options.clock ? { perf: { now: options.clock }, ttlResolution: 0 } : {}),
    });
  }

  /** The cached rendering for `key`, counted as a hit; undefined (and not counted) when there is none. */
  cached(key: string): RenderedImage | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.counters.hits++;
    if (++entry.hits >= (this.optimize?.afterHits ?? Infinity) && !entry.optimizing) this.startOptimizing(key, entry);
    return entry.image;
  }

  /** The cached rendering for `key`, or the result of `render()` (run once however many ask at once). */
  async getOrRender(key: string, render: () => Promise<RenderedImage>, options: { ttlMs?: number | undefined } = {}): Promise<RenderedImage> {
    const cached = this.cached(key);
    if (cached) return cached;
    const pending = this.inFlight.get(key);
    if (pending) {
      this.counters.joined++;
      return pending;
    }
    this.counters.misses++;
    return this.inFlight.run(key, async () => {
      const image = await render();
      this.entries.set(key, { image, hits: 0, optimizing: false }, options.ttlMs === undefined ? {} : { ttl: Math.max(1, options.ttlMs) });
      return image;
    });
  }

  stats(): RenderCacheStats {
    return { ...this.counters, entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  clear(): void {
    this.entries.clear();
  }

  private startOptimizing(key: string, entry: Entry): void {
    const optimize = this.optimize as RenderOptimizing;
    entry.optimizing = true;
    if (this.entries.getRemainingTTL(key) < (optimize.minTimeLeftMs ?? 30_000)) return;
    // A full queue drops the job (counted by the queue); the rendering stays as it is.
    optimize.queue.add(async () => {
      // Evicted, expired or re-rendered while it waited: nothing to improve.
      if (this.entries.peek(key) !== entry) return;
      const better = await optimize.run(entry.image);
      if (better === null || this.entries.peek(key) !== entry) return;
      // Same key, same time left to live: only the bytes (and their ETag) change.
      const ttl = this.entries.getRemainingTTL(key);
      if (!(ttl > 0)) return;
      this.entries.set(key, { image: better, hits: entry.hits, optimizing: true }, { ttl });
      this.counters.optimized++;
    });
  }
}
