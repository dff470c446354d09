import express, { type Express } from 'express';
import type { BlockCatalog } from './blocks/blocks-config';
import { ImpressionLog } from './data/impression-log';
import type { Store } from './data/store';
import { ampRouter } from './http/amp-router';
import { clickRouter } from './http/click-router';
import { demoAssetsRouter } from './http/demo-assets';
import { imgRouter } from './http/img-router';
import { errorHandler, notFound } from './http/error-handler';
import { requestLog } from './http/request-log';
import type { SenderAllowlist } from './http/sender-allowlist';
import type { Logger } from './log';
import { createBlockImageRenderer, type DrawBlockFn } from './render/block-image';
import { createImageLoader, type ImageLoader } from './render/image-loader';
import type { RenderCache } from './render/render-cache';
import type { Keyring } from './tokens/keyring';
import { createTokenVerifier } from './tokens/token-verifier';

export interface AppDeps {
  store: Store;
  blocks: BlockCatalog;
  keyring: Keyring;
  tokenAudience: string;
  globalAllowlist: SenderAllowlist;
  logger: Logger;
  /** The clock of every open; tests pass a fixed one. */
  now?: () => Date;
  /** The server's public URL: demo product pictures under it are drawn in-process, not fetched. */
  publicUrl?: string;
  /**
   * Loads product pictures for the image routes (createImageLoader, with the
   * host allowlist). Default: no remote host, only this server's demo pictures.
   */
  imageLoader?: ImageLoader;
  /**
   * Records what each image showed, for click-through. The owner calls
   * `close()` on shutdown to write what is pending. Default: one on `store`.
   */
  impressionLog?: ImpressionLog;
  /** Where a click on an unknown block goes; default: the origin of the first block's defaultUrl. */
  siteUrl?: string;
  /** Encoded image cache (default: 64 MB). */
  renderCache?: RenderCache;
  /** Replaces drawBlock in the image routes (tests count draws or make drawing fail). */
  drawBlock?: DrawBlockFn;
}

/** Builds the Express app without listening, so tests drive it in-process with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.logger));

  app.get('/healthz', async (_req, res) => {
    await deps.store.countProducts();
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  const now = deps.now ?? (() => new Date());
  const verifyToken = createTokenVerifier(deps.keyring, deps.tokenAudience);
  app.use(ampRouter({ ...deps, verifyToken, now }));

  const impressionLog = deps.impressionLog ?? new ImpressionLog(deps.store, { logger: deps.logger });
  const imageLoader = deps.imageLoader ?? createImageLoader({ publicUrl: deps.publicUrl, logger: deps.logger });
  const renderer = createBlockImageRenderer({
    store: deps.store,
    blocks: deps.blocks,
    verifyToken,
    now,
    logger: deps.logger,
    imageLoader,
    impressionLog,
    renderCache: deps.renderCache,
    draw: deps.drawBlock,
  });
  app.use(imgRouter(renderer));
  app.use(clickRouter({ blocks: deps.blocks, verifyToken, impressionLog, now, siteUrl: deps.siteUrl }));
  app.use(demoAssetsRouter());

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
