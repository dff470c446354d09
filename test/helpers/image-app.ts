import { Writable } from 'node:stream';
import path from 'node:path';
import type { Image } from '@napi-rs/canvas';
import request from 'supertest';
import { createApp, type OpentimeApp } from '../../src/app';
import { loadBlocksConfig, type BlockCatalog } from '../../src/blocks/blocks-config';
import type { ShownView } from '../../src/kinds/kind-of-view';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { loadFormsConfig } from '../../src/forms/forms-config';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import type { LoadGauge } from '../../src/http/event-loop-lag';
import { createLogger } from '../../src/log';
import type { DrawBlockFn } from '../../src/render/block-image';
import { drawBlock } from '../../src/render/draw-block';
import { createImageLoader, type ImageLoader, type ImageLoaderOptions } from '../../src/render/image-loader';
import type { BackgroundQueue } from '../../src/render/background-queue';
import { RenderCache } from '../../src/render/render-cache';
import type { RenderPool } from '../../src/render/render-pool';
import { ImpressionLog } from '../../src/recording/impression-log';
import { withCatalogueCache } from '../../src/storage/cache/with-catalogue-cache';
import type { CatalogueReader } from '../../src/storage/ports/catalogue-reader';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { Keyring } from '../../src/tokens/keyring';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';

/**
 * A real app (createApp) on an in-memory SQLite seeded with the demo data, for
 * the image and click tests: every draw is counted, the impression log is
 * flushed only when a test says so, and product pictures load through a real
 * loader (demo pictures in-process, loopback hosts only when a test allows).
 */

export const NOW = new Date('2026-11-22T10:00:00.000Z');
export const AUDIENCE = 'opentime-image-test';
export const PUBLIC_URL = 'https://opentime.test';
export const BLOCKS_FILE = path.join(__dirname, '..', '..', 'config', 'blocks.yaml');

export const keyring = new Keyring({ keys: [{ kid: 'img-1', secret: Buffer.alloc(32, 9).toString('base64url') }], activeKid: 'img-1' });

export interface DrawCall {
  view: ShownView;
  images: ReadonlyMap<string, Image | null>;
}

export interface ImageApp {
  app: OpentimeApp;
  /** What the app runs on: the in-memory database behind the catalogue cache. */
  storage: Storage;
  blocks: BlockCatalog;
  clock: { now: Date };
  draws: DrawCall[];
  impressions: ImpressionLog;
  imageLoader: ImageLoader;
  logLines(): string[];
  token(subscriberId: string, campaignId?: string, options?: { now?: Date; ttlSeconds?: number }): string;
  close(): Promise<void>;
}

export async function createImageApp(
  options: {
    wrapCatalogue?: (catalogue: CatalogueReader) => CatalogueReader;
    imageLoader?: ImageLoaderOptions;
    draw?: DrawBlockFn;
    /** false: the real drawBlock, unwrapped, so GIFs are drawn on the render threads (draws stays empty). */
    countDraws?: boolean;
    renderPool?: RenderPool;
    loadGauge?: LoadGauge;
    /** The render cache times its entries by this clock (ms), not the opens' clock: tests step it to expire renderings. */
    renderCacheClock?: { ms: number };
    siteUrl?: string;
    /** Re-encode renderings served this many times (off by default, so other tests see stable bytes). */
    imageOptimizeAfterHits?: number;
    /** Where the re-encodings run; tests await its idle() instead of polling. */
    imageOptimizerQueue?: BackgroundQueue;
  } = {},
): Promise<ImageApp> {
  const storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: 1000 });
  await seedDemoDataIfEmpty(storage, { baseUrl: PUBLIC_URL, now: NOW });
  const blocks = loadBlocksConfig(BLOCKS_FILE);
  const clock = { now: NOW };
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger('debug', sink);
  // A flush timer that never fires: tests flush explicitly, so they see exactly what was written when, however slow the machine.
  const impressions = new ImpressionLog(storage.impressions, { startTimer: () => () => undefined, logger });
  // Demo pictures are drawn in-process; on a loaded machine that can take longer than the server's 300 ms wait,
  // which would draw a placeholder. Tests about that wait set their own timeoutMs.
  const imageLoader = createImageLoader({ publicUrl: PUBLIC_URL, logger, timeoutMs: 60_000, ...options.imageLoader });
  const draws: DrawCall[] = [];
  const draw = options.draw ?? drawBlock;
  const app = createApp({
    storage,
    openCatalogue: options.wrapCatalogue?.(storage.catalogue),
    blocks,
    // The demo forms, as the server loads them by default: the demo's poll-results block reads its poll there.
    forms: loadFormsConfig(path.join(__dirname, '..', '..', 'config', 'forms.yaml')),
    keyring,
    tokenAudience: AUDIENCE,
    globalAllowlist: SenderAllowlist.parse(['news@shop.example']),
    logger,
    now: () => clock.now,
    publicUrl: PUBLIC_URL,
    imageLoader,
    impressionLog: impressions,
    siteUrl: options.siteUrl,
    imageOptimizeAfterHits: options.imageOptimizeAfterHits,
    imageOptimizerQueue: options.imageOptimizerQueue,
    renderPool: options.renderPool,
    loadGauge: options.loadGauge,
    renderCache: options.renderCacheClock ? new RenderCache({ clock: () => (options.renderCacheClock as { ms: number }).ms }) : undefined,
    drawBlock:
      options.countDraws === false
        ? undefined
        : (view, theme, drawOptions) => {
            draws.push({ view, images: drawOptions.images });
            return draw(view, theme, drawOptions);
          },
  });
  return {
    app,
    storage,
    blocks,
    clock,
    draws,
    impressions,
    imageLoader,
    logLines: () => lines,
    token: (subscriberId, campaignId = 'flash-sale', tokenOptions = {}) =>
      signSubscriberToken(keyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: tokenOptions.now ?? clock.now, ttlSeconds: tokenOptions.ttlSeconds }),
    async close() {
      await impressions.close();
      imageLoader.close();
      await storage.close();
    },
  };
}

/** GET with the body kept as bytes whatever the content type. */
export function getBytes(app: OpentimeApp, url: string, headers: Record<string, string> = {}) {
  return request(app)
    .get(url)
    .set(headers)
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
}
