import type { IncomingMessage, RequestListener } from 'node:http';
import express from 'express';
import type { BlockCatalog } from './blocks/blocks-config';
import { liveBlocks, type LiveBlocks } from './blocks/live-blocks';
import { ampBlockEndpoint } from './http/amp-block-endpoint';
import { apiRouter, type ApiRouterDeps } from './http/api-router';
import { clickRouter, siteUrlOf } from './http/click-router';
import { formLinkRouter } from './http/form-link-router';
import { formRouter } from './http/form-router';
import { notifyRequestsRouter } from './http/notify-requests-router';
import { FormActions } from './forms/form-actions';
import { formRateLimits, type FormRateLimits } from './forms/form-rate-limits';
import { NO_FORMS, type FormsCatalog } from './forms/forms-config';
import { pollResultsReader } from './forms/poll-results';
import { demoAssetsRouter } from './http/demo-assets';
import { ApiKeyring } from './api/api-keys';
import type { ConsoleSettings } from './console/console-context';
import { consoleRouter } from './console/console-router';
import { consoleApiRouter } from './http/console-api-router';
import { clientAddressResolver, type TrustProxy } from './http/client-address';
import { imgBlockEndpoint } from './http/img-block-endpoint';
import { metricsRouter } from './http/metrics-router';
import { openEndpoints } from './http/open-endpoints';
import { reportsRouter } from './http/reports-router';
import { DEFAULT_CONVERSION_SETTINGS, type ConversionSettings } from './conversions/conversion-settings';
import { conversionPixelRouter } from './conversions/conversion-pixel-router';
import { OrderIntake } from './conversions/order-intake';
import { triggersRouter } from './triggers/triggers-router';
import { previewRouter } from './http/preview-router';
import { DEFAULT_PREVIEW_PUBLIC_URL } from './preview/email-preview';
import { previewWiring } from './preview/preview-wiring';
import { errorHandler, notFound } from './http/error-handler';
import type { LoadGauge } from './http/event-loop-lag';
import { healthCheck } from './http/health-check';
import { pathOf } from './http/query';
import { requestLog } from './http/request-log';
import type { SenderAllowlist } from './http/sender-allowlist';
import type { Logger } from './log';
import type { Metrics } from './metrics/metrics';
import { requestDuration } from './metrics/request-duration';
import type { AppleRelayRanges } from './open/apple-relay-ranges';
import { BackgroundQueue } from './render/background-queue';
import { createBlockImageRenderer, type DrawBlockFn } from './render/block-image';
import { createImageLoader, type ImageLoader } from './render/image-loader';
import { paletteReencoding } from './render/png-palette-optimizer';
import { RenderCache } from './render/render-cache';
import type { RenderPool } from './render/render-pool';
import type { BlockLocks } from './recording/block-locks';
import { ImpressionLog } from './recording/impression-log';
import { openRecording } from './recording/open-recording';
import type { RenderLog } from './recording/render-log';
import type { PullSource, PullSourceStats } from './sources/pull-source';
import type { OpenPlaces } from './open/location-at-open';
import type { WeatherSource } from './sources/weather-source';
import type { CacheCounts, CatalogueCache, CatalogueCacheName } from './storage/cache/cached-catalogue';
import type { CatalogueReader } from './storage/ports/catalogue-reader';
import type { Storage } from './storage/storage';
import type { Keyring } from './tokens/keyring';
import { createTokenVerifier } from './tokens/token-verifier';

export interface AppDeps {
  /** Every port of the database (storage/storage.ts): the API writes through it, reports and health read it, the recording writes to it. */
  storage: Storage;
  /**
   * What opens read (JSON, images, click-time resolution): `storage.catalogue`
   * by default; the pull-source overlay in front of it when one is configured.
   */
  openCatalogue?: CatalogueReader;
  /** The blocks served: a holder the server swaps when the blocks config is reloaded (blocks/blocks-reload.ts), or a fixed catalog. */
  blocks: BlockCatalog | LiveBlocks;
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
   * `close()` on shutdown to write what is pending. Default: one on `storage.impressions`.
   */
  impressionLog?: ImpressionLog;
  /** Where a click on an unknown block goes; default: the origin of the first block's defaultUrl. */
  siteUrl?: string;
  /** Encoded image cache (default: 64 MB, re-encoding as `imageOptimizeAfterHits` says). */
  renderCache?: RenderCache;
  /**
   * A cached rendering served this many times is re-encoded as a palette PNG
   * in the background (png-palette-optimizer.ts); 0 or absent: never. The
   * server sets it from OPENTIME_IMAGE_OPTIMIZE_AFTER (default 3).
   */
  imageOptimizeAfterHits?: number;
  /** Where those re-encodings wait and run (tests await its idle()); default: one job at a time, resting as long as each took. */
  imageOptimizerQueue?: BackgroundQueue;
  /** Replaces drawBlock in the image routes (tests count draws or make drawing fail). */
  drawBlock?: DrawBlockFn;
  /** Threads for GIF drawing and encoding (render-pool.ts); default: the process's shared pool. */
  renderPool?: RenderPool;
  /** When set, image renderings that are not cached are shed while it says the server is overloaded (README "Overload"). */
  loadGauge?: LoadGauge;
  /**
   * The ingestion API under /api/v1 and the campaign reports; absent: not
   * served. It writes through `storage.ingestion` and reads back
   * `storage.catalogue`, never the pull-source overlay: what it holds.
   */
  api?: Omit<ApiRouterDeps, 'ingestion' | 'catalogue' | 'campaigns' | 'subscriberSearch' | 'now' | 'metrics' | 'orders'>;
  /** Attribution window and model, and the conversion pixel's secret (README "Conversions and revenue"); default: 7 days, last click, no pixel. */
  conversions?: ConversionSettings;
  /**
   * Set when opens read through a pull source: each request gets one wait
   * budget (the pull timeout) shared by all its product reads, so an open
   * never waits on the source longer than the timeout in total.
   */
  perOpenPullBudget?: boolean;
  /** The render log (owner closes it on shutdown); null: logging off; default: one on `storage.renderLog`. */
  renderLog?: RenderLog | null;
  /** Frozen views of locked blocks (owner closes it on shutdown); default: one on `storage.locks`. */
  locks?: BlockLocks;
  /** GET /metrics and the counters behind it; default: a fresh registry without process metrics. */
  metrics?: Metrics;
  /** When set, GET /metrics needs "Authorization: Bearer <metricsToken>". */
  metricsToken?: string;
  /** What GET /metrics answers instead of this process's own figures: the whole cluster's, in a cluster worker. */
  metricsScrape?: () => Promise<string>;
  /** The pull source opens read through, if any: its counts go on GET /metrics. */
  pullSource?: Pick<PullSource, 'name' | 'stats'>;
  /** Where opens were read and the weather there (open/location-at-open.ts); default: the subscriber's profile, no weather. */
  places?: OpenPlaces;
  /** The weather provider, if any: its counts go on GET /metrics beside the pull source's. */
  weatherSource?: Pick<WeatherSource, 'name' | 'stats'>;
  /** Apple's relay egress ranges, to tell Mail Privacy Protection prefetches; none: the user agent alone decides. */
  relayRanges?: AppleRelayRanges;
  /** Express "trust proxy" (OPENTIME_TRUST_PROXY): which hops may say who the client is. Default: none. */
  trustProxy?: TrustProxy;
  /** The web console at /console (README "Console"); absent: not served. Signs in with `api.keys`. */
  console?: ConsoleSettings;
  /** AMP forms (OPENTIME_FORMS, README "Interactive AMP forms"); absent: none, /amp/v1/forms answers form_not_found. */
  forms?: FormsCatalog;
  /** The forms' rate limits; default: in memory, as `forms.limits` says (main.ts passes Redis-backed ones with OPENTIME_REDIS_URL). */
  formLimits?: FormRateLimits;
}

/** The whole server as one Node request listener: `http.createServer(app)`, or `supertest(app)` in tests. */
export type OpentimeApp = RequestListener;

/**
 * Builds the server without listening, so tests drive it in-process with
 * supertest: the open endpoints (AMP JSON, images) on plain Node, everything
 * else (API, clicks, metrics, health, demo assets) on Express.
 */
export function createApp(deps: AppDeps): OpentimeApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use(requestLog(deps.logger));
  // Metrics, render log and locks, shared by the JSON, image and click routes.
  const recording = openRecording(deps);
  const openCatalogue = deps.openCatalogue ?? deps.storage.catalogue;
  app.use(requestDuration(recording.metrics));

  const now = deps.now ?? (() => new Date());
  // One holder for the JSON, image and click routes: a reload swaps what all three serve at once.
  const blocks = liveBlocks(deps.blocks);
  const verifyToken = createTokenVerifier(deps.keyring, deps.tokenAudience);

  const impressionLog = deps.impressionLog ?? new ImpressionLog(deps.storage.impressions, { logger: deps.logger });
  const imageLoader = deps.imageLoader ?? createImageLoader({ publicUrl: deps.publicUrl, logger: deps.logger });
  const optimizerQueue =
    deps.imageOptimizerQueue ?? new BackgroundQueue({ onError: (error) => deps.logger.warn({ err: error }, 'image re-encoding failed; the rendering keeps its first encoding') });
  const afterHits = deps.imageOptimizeAfterHits ?? 0;
  const renderCache =
    deps.renderCache ??
    new RenderCache({
      optimize: afterHits > 0 ? { afterHits, run: paletteReencoding(), queue: optimizerQueue } : undefined,
      clock: deps.now ? () => now().getTime() : undefined,
    });
  // The forms config's polls, counted for the token's campaign: the poll-results blocks read them.
  const forms = deps.forms ?? NO_FORMS;
  const polls = pollResultsReader(forms, deps.storage.pollAnswers);
  const renderer = createBlockImageRenderer({
    polls,
    store: openCatalogue,
    blocks,
    verifyToken,
    now,
    logger: deps.logger,
    imageLoader,
    impressionLog,
    renderCache,
    draw: deps.drawBlock,
    renderPool: deps.renderPool,
    loadGauge: deps.loadGauge,
    relayRanges: deps.relayRanges,
    observeRender: recording.observeRender,
    locks: recording.locks,
    firstOpens: recording.firstOpens,
    places: deps.places,
  });
  // Orders (events API and pixel) are attributed as they arrive, through one intake (conversions/order-intake.ts).
  const conversions = deps.conversions ?? DEFAULT_CONVERSION_SETTINGS;
  const orderIntake = new OrderIntake(deps.storage.orders, conversions, deps.storage.identity);
  // Before the click router, whose catch-all takes every other /c/v1/ link.
  app.use(conversionPixelRouter({ orders: orderIntake, secret: conversions.pixelSecret, now, logger: deps.logger }));
  const formActions = new FormActions({ pollAnswers: deps.storage.pollAnswers, notifyRequests: deps.storage.notifyRequests, ingestion: deps.storage.ingestion, catalogue: deps.storage.catalogue });
  const formLimits = deps.formLimits ?? formRateLimits(forms.limits);
  app.use(formRouter({ forms, actions: formActions, limits: formLimits, verifyToken, catalogue: deps.storage.catalogue, globalAllowlist: deps.globalAllowlist, now }));
  app.use(formLinkRouter({ forms, actions: formActions, limits: formLimits, verifyToken, catalogue: deps.storage.catalogue, now, siteUrl: () => deps.siteUrl ?? siteUrlOf(blocks.current) }));
  app.use(
    clickRouter({
      blocks,
      verifyToken,
      impressionLog,
      now,
      store: openCatalogue,
      locks: recording.locks,
      siteUrl: deps.siteUrl,
      polls,
      renderLog: recording.renderLog,
      metrics: recording.metrics,
    }),
  );
  app.use(demoAssetsRouter());
  app.use(metricsRouter(recording.metrics, { token: deps.metricsToken, scrape: deps.metricsScrape }));
  recording.metrics.watch({
    caches: { render: () => renderer.cache.stats(), images: () => imageLoader.stats(), ...catalogueCacheMetrics(deps.storage.catalogueCache) },
    queues: { impressions: () => impressionLog.stats() },
    pullSources: { ...pullSourceMetrics(deps.pullSource), ...pullSourceMetrics(deps.weatherSource) },
    imageOptimizer: () => {
      const { queued, dropped } = optimizerQueue.stats();
      return { queued, dropped, optimized: renderer.cache.stats().optimized };
    },
  });
  // Previews resolve like opens (openCatalogue, the same renderer and locks) and record nothing (README "Preview"):
  // one wiring for the API and the console's Preview page.
  const preview = previewWiring({ store: openCatalogue, blocks, renderer, locks: recording.locks, firstOpens: recording.firstOpens, polls, forms, keyring: deps.keyring, tokenAudience: deps.tokenAudience, publicUrl: deps.publicUrl ?? DEFAULT_PREVIEW_PUBLIC_URL });
  if (deps.api) {
    app.use(reportsRouter({ catalogue: deps.storage.catalogue, renderLog: deps.storage.renderLog, orders: deps.storage.orders, conversions, apiKeys: deps.api.keys, now }));
    app.use(notifyRequestsRouter({ keys: deps.api.keys, notifyRequests: deps.storage.notifyRequests }));
    app.use(triggersRouter({ keys: deps.api.keys, jobs: deps.storage.triggerJobs, now }));
    app.use(apiRouter({ ...deps.api, ingestion: deps.storage.ingestion, catalogue: deps.storage.catalogue, campaigns: deps.storage.campaigns, subscriberSearch: deps.storage.subscriberSearch, orders: orderIntake, now, metrics: recording.metrics }));
    app.use(
      consoleApiRouter({
        storage: deps.storage,
        blocks,
        keys: deps.api.keys,
        keyring: deps.keyring,
        tokenAudience: deps.tokenAudience,
        settings: deps.console ?? { demo: false, publicUrl: deps.publicUrl ?? 'http://localhost:8080' },
        now,
      }),
    );
    app.use(previewRouter({ ...preview, keys: deps.api.keys, now }));
  }

  if (deps.console) {
    app.use(
      consoleRouter({
        settings: deps.console,
        storage: deps.storage,
        openCatalogue,
        blocks,
        apiKeys: deps.api?.keys ?? new ApiKeyring([]),
        keyring: deps.keyring,
        tokenAudience: deps.tokenAudience,
        preview,
        logger: deps.logger,
        now,
        conversions,
      }),
    );
  }

  app.use(notFound);
  app.use(errorHandler);

  const served = openEndpoints(
    {
      logger: deps.logger,
      metrics: recording.metrics,
      globalAllowlist: deps.globalAllowlist,
      perOpenPullBudget: deps.perOpenPullBudget,
      amp: ampBlockEndpoint({ store: openCatalogue, blocks, verifyToken, now, observeRender: recording.observeRender, locks: recording.locks, firstOpens: recording.firstOpens, polls, places: deps.places }),
      img: imgBlockEndpoint(renderer, clientAddressResolver(deps.trustProxy)),
    },
    app,
  );
  const health = healthCheck(deps.storage, deps.logger);
  // Health checks come first, on plain Node: a load balancer must get its answer even while opens queue.
  return (req, res) => (isHealthCheck(req) ? health(req, res) : served(req, res));
}

function isHealthCheck(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && pathOf(req.url ?? '') === '/healthz';
}

/** The pull source's counts under its name, for GET /metrics; none without a pull source. */
function pullSourceMetrics(pullSource: AppDeps['pullSource']): Record<string, () => PullSourceStats> {
  return pullSource ? { [pullSource.name]: () => pullSource.stats() } : {};
}

/** The catalogue cache's counts per cache (store.products, store.subscribers…), for GET /metrics; none without a cache. */
function catalogueCacheMetrics(cache: CatalogueCache | undefined): Record<string, () => CacheCounts> {
  if (!cache) return {};
  return Object.fromEntries(Object.keys(cache.stats()).map((name) => [`store.${name}`, () => cache.stats()[name as CatalogueCacheName]]));
}
