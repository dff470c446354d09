import type { PollResultsReader } from '../kinds/kind';
import { safeLocale } from '../format/intl-cache';
import type { Canvas, Image } from '@napi-rs/canvas';
import type { BlockCatalog } from '../blocks/blocks-config';
import { liveBlocks, type LiveBlocks } from '../blocks/live-blocks';
import { defaultFallbackItem, fallbackItemOf, type FallbackItem } from '../blocks/fallback-item';
import type { PreparedBlock } from '../blocks/prepared-block';
import { logFallback, resolveBlock, type Resolution } from '../blocks/resolve-block';
import type { ResolveServices } from '../blocks/lock-at-first-open';
import { slotUrls, type ImagePart } from '../blocks/slots';
import { isTicking, type ShownView } from '../kinds/kind-of-view';
import type { Campaign, Subscriber } from '../data/model';
import { NEVER_OVERLOADED, type LoadGauge } from '../http/event-loop-lag';
import { strongEtag, type ImageAudience } from '../http/cache-policy';
import type { Logger } from '../log';
import { detectClient, type RelayAddressList } from '../open/client-detection';
import type { ClientClass, Open, OpenPlace } from '../open/open';
import type { OpenPlaces } from '../open/location-at-open';
import { GENERIC_SUBJECT, loadSubject, openFor, type OpenSubject } from '../open/open-subject';
import type { BlockLocks } from '../recording/block-locks';
import type { FirstOpens } from '../recording/first-opens';
import type { ImpressionLog } from '../recording/impression-log';
import type { ObserveRender } from '../recording/render-observer';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { SubscriberClaims } from '../tokens/subscriber-token';
import type { VerifyToken } from '../tokens/token-verifier';
import { drawBlock, imageUrlsOf, type DrawBlockOptions } from './draw-block';
import { canvasPixels, encodeCanvasPng, TRANSPARENT_PIXEL_GIF, TRANSPARENT_PIXEL_PNG } from './encode';
import type { ImageLoader } from './image-loader';
import { cropCanvas, partRect } from './image-parts';
import { RenderCache, renderCacheKey, type RenderedImage } from './render-cache';
import { RenderPoolBusy, sharedRenderPool, type RenderPool } from './render-pool';
import type { GifTiming } from './render-worker';
import { layoutTheme, type ImageLayout } from './layout';
import { clampScale, defaultTheme, type Theme } from './theme';

/**
 * The image path of an open: token → open → the SAME `resolveBlock` as the
 * JSON path → product pictures → draw → encode, with a cache of encoded
 * renderings in front of draw+encode. It never rejects: every failure becomes
 * a fallback image and a log line (Gmail caches error answers for days).
 */

export type ImageFormat = 'png' | 'gif';
export type DrawBlockFn = (view: ShownView, theme: Theme, options: DrawBlockOptions) => Canvas;

/** A ticking view's GIF (a running countdown): one frame a second for a minute (README "Images"). */
export const GIF_FRAMES = 60;
export const GIF_FRAME_DELAY_MS = 1000;
/** The pictures of a view that shows none. */
const NO_IMAGES: ReadonlyMap<string, Image | null> = new Map();
/** A rendering drawn with a missing product picture is reused only this long, so the picture appears soon after it loads. */
const PLACEHOLDER_RENDER_TTL_MS = 10_000;
/**
 * A running countdown's view changes every second, so its rendering is shared
 * only by opens within that second; kept for the cache's 10 minutes, each
 * block would fill the cache with ~600 dead frames per locale and push out
 * product cards that are still being opened.
 */
const TICKING_RENDER_TTL_MS = 2_000;

/** How long a rendering of these views is reused; undefined: the render cache's own limit. */
export function renderingTtlMs(views: readonly ShownView[], picturesPresent: readonly boolean[]): number | undefined {
  const first = views[0];
  if (first !== undefined && isTicking(first)) return TICKING_RENDER_TTL_MS;
  if (!picturesPresent.every(Boolean)) return PLACEHOLDER_RENDER_TTL_MS;
  return undefined;
}

export interface BlockImageDeps {
  store: CatalogueReader;
  /** The blocks served: a holder the blocks config reload swaps (each render reads it once), or a fixed catalog. */
  blocks: BlockCatalog | LiveBlocks;
  verifyToken: VerifyToken;
  now: () => Date;
  logger: Logger;
  imageLoader: ImageLoader;
  /** Where each render's slots are recorded for click-through; none: nothing is recorded. */
  impressionLog?: ImpressionLog;
  renderCache?: RenderCache;
  /** Replaces drawBlock (tests count draws or make drawing fail). */
  draw?: DrawBlockFn;
  /** Apple's relay egress ranges, for client detection; none: the user agent alone decides. */
  relayRanges?: RelayAddressList;
  /** Records each render in the metrics and the render log. */
  observeRender?: ObserveRender;
  /** Frozen views of lock-at-first-open blocks (blocks/lock-at-first-open.ts). */
  locks?: BlockLocks;
  /** First human opens, the clock of evergreen countdowns (recording/first-opens.ts). */
  firstOpens?: FirstOpens;
  /** Poll results for poll-results blocks. */
  polls?: PollResultsReader;
  /** Where opens were read (from the address) and the weather there; default: the subscriber's profile, no weather. */
  places?: OpenPlaces;
  /** Threads for GIF drawing and encoding; default: the process's shared pool. */
  renderPool?: RenderPool;
  /** Tells when the server is overloaded: renderings not cached are then shed (README "Overload"); default: never. */
  loadGauge?: LoadGauge;
}

export interface BlockImageRequest {
  blockId: string;
  token: string | undefined;
  format: ImageFormat;
  /** Requested pixel density; clamped by the block's theme. Default 1. */
  scale?: number;
  userAgent?: string;
  /** The peer address (`req.ip`): with the user agent, tells an Apple Mail Privacy Protection prefetch. */
  remoteAddress?: string;
  /** The request's logger (with its request id); the renderer's own otherwise. */
  log?: Logger;
  /** A part of the picture (`?slot=`, image-parts.ts); undefined: the whole; null: a value naming no part. */
  part?: ImagePart | null;
  /** `?layout=narrow`: the phone picture (render/layout.ts); default wide. */
  layout?: ImageLayout;
}

export type BlockImageOutcome =
  /** The live view of the block. */
  | 'view'
  /** The block's fallback items, because rules held it back or its data is missing. */
  | 'fallback'
  /** The block's fallback items, because something failed. */
  | 'degraded'
  /** An unknown block id: a generic panel. */
  | 'unknown_block'
  /** Even drawing the fallback failed: a transparent pixel. */
  | 'emergency'
  /** A GIF asked for while the render threads were full: the live view's first frame, as a PNG. */
  | 'busy'
  /** The server was overloaded and the view's rendering was not cached: the block's fallback picture. */
  | 'shed';

export interface BlockImage extends RenderedImage {
  audience: ImageAudience;
  outcome: BlockImageOutcome;
}

/**
 * A console preview's picture (README "Preview"): the subject, client and
 * moment are given, not read from a token and the request, and nothing is
 * recorded: no render log row, no impression, no lock claimed (a lock in
 * force is drawn). Otherwise the same resolution, cache and drawing as an open.
 */
export interface PreviewImageRequest {
  block: PreparedBlock;
  subject: OpenSubject;
  client: ClientClass;
  at: Date;
  format: ImageFormat;
  scale?: number;
  /** A part of the picture (`?slot=`, image-parts.ts); undefined: the whole. */
  part?: ImagePart;
  /** The phone picture (render/layout.ts); default wide. */
  layout?: ImageLayout;
  log?: Logger;
}

export interface BlockImageRenderer {
  render(request: BlockImageRequest): Promise<BlockImage>;
  preview(request: PreviewImageRequest): Promise<BlockImage>;
  readonly cache: RenderCache;
}

export function createBlockImageRenderer(deps: BlockImageDeps): BlockImageRenderer {
  const cache = deps.renderCache ?? new RenderCache();
  const draw: DrawBlockFn = deps.draw ?? drawBlock;
  const pool = deps.renderPool ?? sharedRenderPool();
  const loadGauge = deps.loadGauge ?? NEVER_OVERLOADED;
  // Themes come with each PreparedBlock, validated when the blocks config loads (an experiment arm may have its own).
  const blocks = liveBlocks(deps.blocks);
  const openServices: ResolveServices = { locks: deps.locks, polls: deps.polls, firstOpens: deps.firstOpens };
  // A preview serves a lock in force but never claims one (lock-at-first-open.ts).
  const previewServices: ResolveServices = { ...openServices, claimLocks: false };
  const genericTheme = defaultTheme();
  const genericView: FallbackItem = defaultFallbackItem('');

  async function encodeView(
    format: ImageFormat,
    views: readonly ShownView[],
    theme: Theme,
    scale: number,
    log: Logger,
    part?: ImagePart,
    mayShed = false,
  ): Promise<RenderedImage> {
    // A part of a PNG: a crop of the same drawing (a GIF is always whole).
    const rect = part === undefined || format !== 'png' ? 'whole' : partRect(views[0] as ShownView, theme, part);
    if (rect === 'empty') return transparentPixel(format);
    const urls: string[] = [];
    for (const view of views) imageUrlsOf(view, urls);
    // Synchronous when the pictures and the rendering are cached (most opens): no promise to wait for.
    const images = urls.length === 0 ? NO_IMAGES : (deps.imageLoader.settledAll(urls) ?? (await deps.imageLoader.loadAll(urls)));
    const present = urls.map((url) => images.get(url) != null);
    const key = renderCacheKey({ output: format, part: rect === 'whole' ? '' : String(part), scale, theme, views, images: present });
    const cached = cache.cached(key);
    if (cached) return cached;
    if (mayShed && loadGauge.overloaded()) throw new ShedLoad();
    const options: DrawBlockOptions = { scale, images };
    const image = await cache.getOrRender(
      key,
      async () => {
        const drawView = (view: ShownView): Canvas => (rect === 'whole' ? draw(view, theme, options) : cropCanvas(draw(view, theme, options), rect, scale));
        if (format === 'gif') return encoded(await encodeGif(views, theme, scale, urls.length === 0 ? null : drawView), format);
        const view = views[0] as ShownView;
        // A replaced drawBlock (tests) runs here, where it was given; so does a PNG when every render thread is taken.
        if (!deps.draw) {
          try {
            const pictures = urls.map((url) => ({ url, bytes: pictureBytes(images.get(url)) }));
            return encoded(await pool.drawPng({ view, theme, scale, rect: rect === 'whole' ? null : rect, pictures }, images), format);
          } catch (error) {
            if (!(error instanceof RenderPoolBusy)) throw error;
          }
        }
        return encoded(await encodeCanvasPng(drawView(view)), format);
      },
      { ttlMs: renderingTtlMs(views, present) },
    );
    if (!present.every(Boolean)) log.debug({ missing: urls.filter((_, i) => !present[i]).length }, 'drew product image placeholders');
    return image;
  }

  /**
   * A GIF, drawn and encoded on a render thread. Views without product
   * pictures are drawn there too; `drawHere` draws those with pictures (the
   * image loader lives in this thread) and the thread only encodes. Rejects
   * with RenderPoolBusy when the threads are full.
   */
  function encodeGif(views: readonly ShownView[], theme: Theme, scale: number, drawHere: ((view: ShownView) => Canvas) | null): Promise<Buffer> {
    const last = views[views.length - 1] as ShownView;
    // Frames are views one second apart: an animation whose last frame no longer ticks (a countdown that ran out) has stopped.
    const endsStopped = views.length > 1 && !isTicking(last);
    const timing: GifTiming =
      views.length === 1
        ? { delayMs: 0, loop: false }
        : // A countdown that runs out within the minute plays once and rests on "ended".
          { delayMs: GIF_FRAME_DELAY_MS, loop: !endsStopped, paletteFrames: endsStopped ? [views.length - 1] : [] };
    // A replaced drawBlock (tests) runs here, where it was given.
    const drawer = drawHere ?? (deps.draw ? (view: ShownView) => draw(view, theme, { scale, images: NO_IMAGES }) : null);
    if (!drawer) return pool.drawGif({ views, theme, scale, timing });
    const frames = views.map((view) => canvasPixels(drawer(view)));
    const first = frames[0] as { width: number; height: number };
    return pool.encodeGif({ frames: frames.map((frame) => frame.data), width: first.width, height: first.height, timing });
  }

  /**
   * A running countdown's GIF, shared by every open whose first frame is the
   * same view (same deadline, second, locale and messages): looked up by that
   * frame before the other 59 are resolved, and drawn once however many ask
   * within the second.
   */
  async function encodeTicking(first: ShownView, moreFrames: () => Promise<ShownView[]>, theme: Theme, scale: number, mayShed: boolean): Promise<RenderedImage> {
    const key = renderCacheKey({ output: 'gif', part: 'ticking', scale, theme, views: first, images: [] });
    const cached = cache.cached(key);
    if (cached) return cached;
    if (mayShed && loadGauge.overloaded()) throw new ShedLoad();
    return cache.getOrRender(key, async () => encoded(await encodeGif([first, ...(await moreFrames())], theme, scale, null), 'gif'), { ttlMs: TICKING_RENDER_TTL_MS });
  }

  /** The subject of an image open: a refused token, or one for an unknown campaign, draws the generic picture; it is no error (old emails). */
  async function subjectOf(request: BlockImageRequest, now: Date, log: Logger): Promise<OpenSubject> {
    let claims: SubscriberClaims;
    try {
      claims = deps.verifyToken(request.token, now);
    } catch (error) {
      log.info({ reason: (error as { reason?: string }).reason ?? 'error' }, 'image token refused; drawing the generic image');
      return GENERIC_SUBJECT;
    }
    let subject: OpenSubject;
    try {
      subject = await loadSubject(claims, deps.store);
    } catch (error) {
      throw new ImageDataUnavailable(error);
    }
    if (subject.campaign) return subject;
    // Like a refused token: the JSON answers 404 campaign_not_found, a picture is always a picture.
    log.info({ campaign: claims.campaignId.slice(0, 128) }, 'image token names an unknown campaign; drawing the generic image');
    return GENERIC_SUBJECT;
  }

  /**
   * The view to draw, and for a running countdown asked for as a GIF, how to
   * resolve the frames after it: one per second until the minute is up or it
   * expires (resolved only when no open of the same second drew it already).
   */
  async function resolveViews(
    block: PreparedBlock,
    format: ImageFormat,
    open: Open,
    openAt: (now: Date) => Open,
    services: ResolveServices,
  ): Promise<{ resolution: Resolution; view: ShownView; moreFrames: (() => Promise<ShownView[]>) | null }> {
    const resolution = await resolveBlock(block, open, deps.store, services);
    if (resolution.outcome !== 'view') return { resolution, view: fallbackItemOf(block, open.locale), moreFrames: null };
    if (format !== 'gif' || !isTicking(resolution.view)) return { resolution, view: resolution.view, moreFrames: null };
    const moreFrames = async (): Promise<ShownView[]> => {
      const views: ShownView[] = [];
      for (let second = 1; second < GIF_FRAMES; second++) {
        const next = await resolveBlock(block, openAt(new Date(open.now.getTime() + second * 1000)), deps.store, services);
        if (next.outcome !== 'view') break;
        views.push(next.view);
        if (!isTicking(next.view)) break;
      }
      return views;
    };
    return { resolution, view: resolution.view, moreFrames };
  }

  function recordImpression(block: PreparedBlock, subject: OpenSubject, view: ShownView, now: Date, log: Logger): void {
    if (!subject.claims || !deps.impressionLog) return;
    try {
      deps.impressionLog.record({
        subscriberId: subject.claims.subscriberId,
        campaignId: subject.claims.campaignId,
        blockId: block.config.id,
        urls: slotUrls(view),
        renderedAt: now.toISOString(),
      });
    } catch (error) {
      log.warn({ err: error }, 'impression not recorded');
    }
  }

  async function renderBlock(block: PreparedBlock, request: BlockImageRequest, log: Logger): Promise<BlockImage> {
    const theme = block.theme;
    // null (a value naming no part) was answered in render().
    const part = request.part ?? undefined;
    const scale = clampScale(theme, request.scale ?? 1);
    const now = deps.now();
    const live: LiveAttempt = {};
    try {
      return await renderLive(block, request, theme, scale, now, log, live);
    } catch (error) {
      return failureImage(error, { block, theme, scale, format: request.format, part, layout: request.layout ?? 'wide', log, live, now });
    }
  }

  /** The block's live view (or its rule fallback), drawn; throws for the failure ladder below. */
  async function renderLive(block: PreparedBlock, request: BlockImageRequest, theme: Theme, scale: number, now: Date, log: Logger, live: LiveAttempt): Promise<BlockImage> {
    const subject = await subjectOf(request, now, log);
    const client = detectClient({ userAgent: request.userAgent, remoteAddress: request.remoteAddress }, deps.relayRanges).client;
    const place = await deps.places?.of({ client, address: request.remoteAddress, subscriber: subject.subscriber }, block);
    return drawOpen(block, { subject, client, place, now, format: request.format, part: request.part ?? undefined, layout: request.layout ?? 'wide', theme, scale, log, live, recorded: true });
  }

  /** One open of a block drawn: resolved, recorded when `recorded` (an open, not a preview), encoded. */
  async function drawOpen(block: PreparedBlock, at: OpenToDraw): Promise<BlockImage> {
    const { subject, client, place, now, part, layout, theme, scale, log, live, recorded } = at;
    const openAt = (moment: Date): Open => openFor(block, subject, client, moment, place);
    const open = openAt(now);
    live.locale = open.locale;
    live.recorded = recorded;
    const { resolution, view: first, moreFrames } = await resolveViews(block, at.format, open, openAt, recorded ? openServices : previewServices);
    // One open of a picture cut into parts fetches each part: it is counted once, with its header (or whole picture).
    // A narrow picture is fetched beside the wide one (an HTML part's media query shows one of them): the wide one counts.
    if (recorded && typeof part !== 'number' && layout !== 'narrow') deps.observeRender?.({
      surface: 'image',
      block,
      client,
      subscriberId: subject.claims?.subscriberId ?? null,
      campaignId: subject.claims?.campaignId ?? null,
      resolution,
      at: now,
    });
    const armTheme = resolution.experimentVariant ? block.experiment?.arms.find((arm) => arm.name === resolution.experimentVariant)?.block?.theme : undefined;
    logFallback(log, block, resolution, 'block fallback image served');
    const outcome: BlockImageOutcome = resolution.outcome === 'view' ? 'view' : resolution.reason === 'error' ? 'degraded' : 'fallback';
    const audience: ImageAudience = outcome === 'degraded' ? 'degraded' : subject.claims ? 'personal' : 'generic';
    // The layout travels in the theme (render/layout.ts), so the cache key, a thread's task and a GIF's ticks all see it.
    const drawTheme = layoutTheme(first, armTheme ?? theme, layout);
    live.shown = { view: first, theme: drawTheme, audience, subject };
    const image = moreFrames ? await encodeTicking(first, moreFrames, drawTheme, scale, recorded) : await encodeView(at.format, [first], drawTheme, scale, log, part, recorded);
    if (recorded) recordImpression(block, subject, first, now, log);
    return blockImage(image, audience, outcome);
  }

  /**
   * The failure ladder of the image surface, in one place: what each kind of
   * failure draws instead of the live view (docs/ARCHITECTURE.md, "Where errors
   * become fallbacks"). The image answers 200 with a picture on every rung;
   * when even a rung's drawing fails, render() answers a transparent pixel.
   */
  async function failureImage(error: unknown, at: FailureContext): Promise<BlockImage> {
    const { block, theme, scale, format, part, layout, log, live } = at;
    const shown = live.shown;
    if (error instanceof RenderPoolBusy && shown) {
      // Beyond the render threads' bound a GIF is not queued: the same view's first frame, at once.
      log.warn({ block: block.config.id }, 'render threads busy; answering the first frame as a PNG');
      const image = await encodeView('png', [shown.view], shown.theme, scale, log);
      if (live.recorded) recordImpression(block, shown.subject, shown.view, at.now, log);
      return blockImage(image, shown.audience, 'busy');
    }
    // Every other rung is the block's fallback picture, told apart by its outcome.
    if (error instanceof ShedLoad) log.warn({ block: block.config.id }, "overloaded; answering the block's fallback picture instead of a cold render");
    else if (error instanceof ImageDataUnavailable) log.error({ block: block.config.id, err: error.cause }, 'image data failure; drawing the fallback');
    else log.error({ block: block.config.id, err: error }, 'image render failed; drawing the fallback');
    // In the reader's language when their record was read, else in the block's own.
    const item = fallbackItemOf(block, live.locale ?? safeLocale(block.config.defaultLocale));
    // On a phone's narrow picture, the panel is drawn narrow too (render/layout.ts).
    const fallback = await encodeView(format, [item], layoutTheme(item, theme, layout), scale, log, part);
    return blockImage(fallback, 'degraded', error instanceof ShedLoad ? 'shed' : 'degraded');
  }

  async function renderUnknown(request: BlockImageRequest, log: Logger): Promise<BlockImage> {
    log.warn({ block: request.blockId.slice(0, 64) }, 'image for an unknown block; drawing the generic panel');
    const scale = clampScale(genericTheme, request.scale ?? 1);
    const image = await encodeView(request.format, [genericView], layoutTheme(genericView, genericTheme, request.layout ?? 'wide'), scale, log, request.part ?? undefined);
    return blockImage(image, 'degraded', 'unknown_block');
  }

  return {
    cache,
    async preview(request) {
      const { block, format } = request;
      const log = request.log ?? deps.logger;
      const scale = clampScale(block.theme, request.scale ?? 1);
      const live: LiveAttempt = {};
      try {
        return await drawOpen(block, { subject: request.subject, client: request.client, now: request.at, format, part: request.part, layout: request.layout ?? 'wide', theme: block.theme, scale, log, live, recorded: false });
      } catch (error) {
        try {
          return await failureImage(error, { block, theme: block.theme, scale, format, part: request.part, layout: request.layout ?? 'wide', log, live, now: request.at });
        } catch (fallbackError) {
          log.error({ block: block.config.id, err: fallbackError }, 'preview fallback failed too; answering a transparent pixel');
          return blockImage(transparentPixel(format), 'degraded', 'emergency');
        }
      }
    },
    async render(request) {
      const log = request.log ?? deps.logger;
      try {
        if (request.part === null) {
          log.info({ block: request.blockId.slice(0, 64) }, 'image part names no part (expected ?slot=header or a slot number); drawing a transparent pixel');
          return blockImage(transparentPixel(request.format), 'degraded', 'degraded');
        }
        const block = blocks.current.get(request.blockId);
        return await (block ? renderBlock(block, request, log) : renderUnknown(request, log));
      } catch (error) {
        log.error({ block: request.blockId.slice(0, 64), err: error }, 'image fallback failed too; answering a transparent pixel');
        return blockImage(transparentPixel(request.format), 'degraded', 'emergency');
      }
    },
  };
}

/**
 * A rendering with what the route needs to answer it. Written out, not
 * `{ ...image, audience, … }`: on Node 20 a spread followed by more properties
 * costs ~0.7 µs and, measured on cached images, ~10% of the whole request.
 */
function blockImage(image: RenderedImage, audience: ImageAudience, outcome: BlockImageOutcome): BlockImage {
  return { bytes: image.bytes, contentType: image.contentType, etag: image.etag, audience, outcome };
}

/** The encoded bytes a picture was decoded from (@napi-rs/canvas keeps them as `src`), for a render thread. */
function pictureBytes(image: Image | null | undefined): Uint8Array | null {
  const source: unknown = image?.src;
  return Buffer.isBuffer(source) ? source : null;
}

/** What the live attempt got to before it failed: a busy GIF's answer draws its first frame. */
interface LiveAttempt {
  /** The reader's locale, once their record is read: a failure's fallback picture speaks it. */
  locale?: string;
  /** An open (recorded), not a preview. */
  recorded?: boolean;
  /** Set once the view to draw is known. */
  shown?: { view: ShownView; theme: Theme; audience: ImageAudience; subject: OpenSubject };
}

/** What drawOpen draws: whose open, by which client, when, and whether it is recorded. */
interface OpenToDraw {
  subject: OpenSubject;
  client: ClientClass;
  /** Where it was read and the weather there; none (a preview): the subscriber's profile, no weather. */
  place?: OpenPlace;
  now: Date;
  format: ImageFormat;
  part: ImagePart | undefined;
  layout: ImageLayout;
  theme: Theme;
  scale: number;
  log: Logger;
  live: LiveAttempt;
  /** False for a preview: no render log row, no impression, no lock claim, never shed. */
  recorded: boolean;
}

interface FailureContext {
  block: PreparedBlock;
  /** The block's own theme (not an experiment arm's): fallbacks look the same in every arm. */
  theme: Theme;
  scale: number;
  format: ImageFormat;
  part: ImagePart | undefined;
  /** The layout asked for: the fallback panel is drawn narrow for a narrow picture. */
  layout: ImageLayout;
  log: Logger;
  live: LiveAttempt;
  now: Date;
}

/** The subscriber's records could not be read: the image draws the block's fallback. */
class ImageDataUnavailable extends Error {
  constructor(cause: unknown) {
    super('image data unavailable', { cause });
  }
}

/** A rendering skipped because the server is overloaded. */
class ShedLoad extends Error {
  constructor() {
    super('overloaded: rendering shed');
  }
}

function encoded(bytes: Buffer, format: ImageFormat): RenderedImage {
  return { bytes, contentType: format === 'gif' ? 'image/gif' : 'image/png', etag: strongEtag(bytes) };
}


/** The image of last resort: 1×1 and transparent, in the asked format. */
export function transparentPixel(format: ImageFormat): RenderedImage {
  return format === 'gif' ? PIXEL.gif : PIXEL.png;
}

const PIXEL: Record<ImageFormat, RenderedImage> = {
  png: { bytes: TRANSPARENT_PIXEL_PNG, contentType: 'image/png', etag: strongEtag(TRANSPARENT_PIXEL_PNG) },
  gif: { bytes: TRANSPARENT_PIXEL_GIF, contentType: 'image/gif', etag: strongEtag(TRANSPARENT_PIXEL_GIF) },
};
