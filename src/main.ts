import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { createApp } from './app';
import { startForms } from './forms/forms-from-config';
import { startTriggers } from './triggers/triggers-from-config';
import { ConfigError, loadConfig, type Config } from './config';
import { EventLoopLag } from './http/event-loop-lag';
import { createLogger, type Logger } from './log';
import { createImageLoader } from './render/image-loader';
import { feedSpecsOf } from './sources/feed-blocks';
import { closeSharedFeedSources, configureSharedFeedSources } from './sources/feed-sources';
import { stopPaletteWorker } from './render/palette-worker';
import { closeSharedRenderPool, sharedRenderPool } from './render/render-pool';
import { warmUpRenderer } from './render/warm-up';
import { ImpressionLog } from './recording/impression-log';
import { startServerRecording } from './recording/recording-from-config';
import { sampleUrlsText } from './sample-urls';
import { runClusterPrimary, STARTUP_FAILURE_MESSAGE, type StartupFailureMessage } from './scale-out/cluster-primary';
import { ClusterCatalogueChanges } from './scale-out/cluster-catalogue-changes';
import { ClusterMetrics } from './scale-out/cluster-metrics';
import type { CatalogueChanges } from './scale-out/catalogue-changes';
import { connectRedis } from './scale-out/redis-connection';
import { RedisCatalogueChanges } from './scale-out/redis-catalogue-changes';
import { RedisImpressionHandOff } from './scale-out/redis-impression-hand-off';
import { recordServerAddress } from './server-address';
import { openServices, type Services } from './services';
import { LiveBlocks } from './blocks/live-blocks';
import { watchBlocksConfig } from './blocks/blocks-reload';
import { warnAboutMissingTranslations } from './blocks/missing-translations';
import { startupFailureMessage } from './startup-failure';

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
  /** Reloads the blocks config now (SIGHUP); true when a new one was applied, false when it was refused (logged). */
  reloadBlocks(): boolean;
}

/** Starts the HTTP server and wires graceful shutdown; resolves once listening. */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const changes = await catalogueChangesFor(config, logger);
  const services = await openServices(config, new Date(), logger, { changes });
  // Forms, their rate limits and the outgoing webhooks (README "Interactive AMP forms").
  const forms = await startForms(config, services.storage, logger);
  const handOff = config.redisUrl ? await RedisImpressionHandOff.connect(config.redisUrl, logger) : undefined;
  const impressionLog = new ImpressionLog(services.storage.impressions, { logger, handOff });
  // Render log, locks, retention, metrics, Apple relay ranges.
  const recording = startServerRecording(config, services.storage, logger);
  // Triggered sends: the events API's intake and the loop that sends due jobs, counted on GET /metrics (README "Triggered sends").
  const triggers = startTriggers(config, services.storage, services.keyring, logger, recording.metrics.registry);
  const imageLoader = createImageLoader({
    allowedHosts: config.imageHosts,
    timeoutMs: config.imageTimeoutMs,
    allowPrivateAddresses: config.imageAllowPrivate,
    publicUrl: config.publicUrl,
    logger,
  });
  // Feed blocks' feeds, from the image hosts only (README "Blocks", feed), fetched once before the first open.
  const feeds = configureSharedFeedSources({
    allowedHosts: config.imageHosts,
    allowPrivateAddresses: config.imageAllowPrivate,
    publicUrl: config.publicUrl,
    logger,
  });
  await feeds.prefetch(feedSpecsOf(services.blocks));
  // Beside the pull sources on GET /metrics (the feeds of blocks added by a reload are not listed).
  recording.metrics.watch({ pullSources: feeds.metrics() });
  // The first canvas render of a process loads Skia and the fonts (~0.5 s): pay it now, not on a subscriber's open.
  warmUpRenderer();
  // Each render thread loads Skia and the fonts too; no open must wait for that.
  await sharedRenderPool(config.renderThreads ?? defaultRenderThreads(config)).warmUp();
  const loadGauge = config.shedLagMs > 0 ? new EventLoopLag({ overloadedAtMs: config.shedLagMs }) : undefined;
  await services.pullSource?.warmUp();
  await services.weatherSource?.warmUp();
  // In a cluster, any worker may take the scrape: it answers for all of them.
  const clusterMetrics = cluster.isWorker ? new ClusterMetrics(recording.metrics.registry) : undefined;
  // The blocks config is reloaded when its file changes (and on SIGHUP): every route reads this one holder.
  const blocks = new LiveBlocks(services.blocks);
  const blocksReload = watchBlocksConfig({ file: config.blocksFile, blocks, logger, metrics: recording.metrics });
  const app = createApp({
    storage: services.storage,
    // Opens read live stock/price through the pull source when one is configured; the API reads and writes the catalogue.
    openCatalogue: services.openCatalogue,
    api: {
      keys: services.apiKeys,
      webhookSecret: config.webhookSecret,
      webhookToleranceSeconds: config.webhookToleranceSeconds,
      maxClockSkewSeconds: config.maxClockSkewSeconds,
      bodyLimitBytes: config.apiBodyLimitBytes,
      triggers: triggers.intake,
    },
    perOpenPullBudget: services.pullSource !== undefined || services.weatherSource !== undefined,
    pullSource: services.pullSource,
    // Where opens were read (OPENTIME_GEOIP_DB) and the weather there (OPENTIME_WEATHER_URL).
    places: services.places,
    weatherSource: services.weatherSource,
    blocks,
    keyring: services.keyring,
    tokenAudience: config.tokenAudience,
    globalAllowlist: services.globalAllowlist,
    logger,
    publicUrl: config.publicUrl,
    imageLoader,
    imageOptimizeAfterHits: config.imageOptimizeAfterHits,
    impressionLog,
    siteUrl: config.siteUrl,
    renderLog: recording.renderLog,
    locks: recording.locks,
    metrics: recording.metrics,
    metricsToken: recording.metricsToken,
    metricsScrape: clusterMetrics && (() => clusterMetrics.scrape()),
    relayRanges: recording.relayRanges,
    trustProxy: recording.trustProxy,
    loadGauge,
    console: { demo: config.demo, publicUrl: config.publicUrl, smtpUrl: config.smtpUrl, senders: config.allowedSenders },
    forms: forms.forms,
    formLimits: forms.limits,
    conversions: { windowDays: config.attributionWindowDays, model: config.attributionModel, pixelSecret: config.conversionSecret },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = createServer(app).listen(config.port, config.host, () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, blocks: [...services.blocks.keys()], seeded: services.seeded }, 'opentime started');
  if (services.apiKeys.size === 0) logger.warn('no ingestion API keys configured (OPENTIME_API_KEYS): /api/v1 refuses every request');
  // In a cluster the primary does, once every worker listens.
  if (!cluster.isWorker) announceListening(services, config, port);
  // Once per start (the primary's, in a cluster), after listening: it reads every subscriber.
  if (!cluster.isWorker) void warnAboutMissingTranslations(services.blocks, services.storage.subscriberLocales, logger);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      blocksReload.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Click-through records still queued are written before the database closes.
      await impressionLog.close();
      // Renders, clicks and lock claims still queued, likewise.
      await recording.close();
      await forms.close();
      await triggers.close();
      imageLoader.close();
      services.pullSource?.close();
      services.weatherSource?.close();
      closeSharedFeedSources();
      await stopPaletteWorker();
      await closeSharedRenderPool();
      loadGauge?.close();
      await services.storage.close();
      logger.info('opentime stopped');
      logger.flush();
    })());
  return { server, url: `http://localhost:${port}`, close, reloadBlocks: () => blocksReload.reload('signal') };
}

/**
 * How this process hears what other processes' writes made stale: Redis when
 * it is configured (every process of every machine), else the cluster's IPC
 * channel when this is one of OPENTIME_WORKERS, else nothing to hear.
 */
async function catalogueChangesFor(config: Config, logger: Logger): Promise<CatalogueChanges | undefined> {
  if (config.redisUrl) return RedisCatalogueChanges.connect(config.redisUrl, logger);
  if (cluster.isWorker) return new ClusterCatalogueChanges();
  return undefined;
}

/**
 * Once listening: the public URL is recorded for the commands run beside the
 * server (server-address.ts), and the demo prints its banner. With PORT=0 the
 * port is known only now, and so is a public URL derived from it (config.ts).
 */
function announceListening(services: Services, config: Config, port: number): void {
  const publicUrl = config.port === 0 && config.publicUrl === 'http://localhost:0' ? `http://localhost:${port}` : config.publicUrl;
  recordServerAddress(config, { publicUrl, port });
  if (config.demo) process.stdout.write(`${sampleUrlsText({ ...services, config: { ...config, port, publicUrl } })}\n`);
}

/** Server processes to run: OPENTIME_WORKERS, else one per core. */
function workerCount(config: Config): number {
  return config.workers ?? os.availableParallelism();
}

/** Render threads per process when OPENTIME_RENDER_THREADS is unset: the cores shared out among the processes. */
function defaultRenderThreads(config: Config): number {
  return Math.max(1, Math.round(os.availableParallelism() / workerCount(config)));
}

/** A start-up that failed: one line for what the user can fix (exit 2 for configuration, 1 otherwise), a stack for a bug. */
async function exitForStartupFailure(error: unknown, config: Config): Promise<never> {
  const isConfigError = error instanceof ConfigError;
  // A port in use or an unwritable data directory is the user's to fix, not a bug: one line, no stack.
  const text = isConfigError ? error.message : (startupFailureMessage(error, config) ?? `Failed to start: ${(error as Error).stack ?? error}`);
  if (cluster.isWorker && process.connected) {
    // The primary says it once for all the workers (scale-out/cluster-primary.ts).
    const message: StartupFailureMessage = { type: STARTUP_FAILURE_MESSAGE, text };
    await new Promise<void>((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
  } else {
    process.stderr.write(`${text}\n`);
  }
  process.exit(isConfigError ? 2 : 1);
}

/**
 * The primary of OPENTIME_WORKERS processes: prepares what every worker
 * needs exactly once (migrations, demo keys and data, a check that Redis
 * answers), then runs the workers until a signal stops them.
 */
async function runPrimary(config: Config, logger: Logger, workers: number): Promise<void> {
  let services: Services;
  try {
    services = await openServices(config, new Date(), logger);
    await warnAboutMissingTranslations(services.blocks, services.storage.subscriberLocales, logger);
    services.pullSource?.close();
    services.weatherSource?.close();
    await services.storage.close();
    if (config.redisUrl) await (await connectRedis(config.redisUrl, { purpose: 'the workers of this machine' })).quit();
  } catch (error) {
    return exitForStartupFailure(error, config);
  }
  const exitCode = await runClusterPrimary({
    workers,
    logger,
    onListening(port) {
      announceListening(services, config, port);
    },
  });
  logger.info({ exitCode }, 'opentime stopped');
  logger.flush();
  process.exit(exitCode);
}

/** `npm start` and `opentime serve`: start, and stop cleanly on SIGTERM/SIGINT. */
export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const workers = workerCount(config);
  if (workers > 1 && cluster.isPrimary) return runPrimary(config, logger, workers);
  // Handlers go in before start-up, so a SIGTERM that arrives while the server
  // is still starting (orchestrators send them early) stops it cleanly once it is up.
  let running: RunningServer | undefined;
  let stopRequested = false;
  const stop = (server: RunningServer): void => {
    // In-flight requests finish; new connections are refused.
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      logger.info({ signal, starting: !running }, 'shutting down');
      stopRequested = true;
      if (running) stop(running);
    });
  }
  // SIGHUP reloads the blocks config (a cluster's primary passes it on to every worker); before start-up ends there is nothing to reload.
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP', starting: !running }, 'reloading the blocks config');
    running?.reloadBlocks();
  });
  // A worker whose primary is gone (killed, crashed) drains and stops instead of serving on alone.
  if (cluster.isWorker) process.on('disconnect', () => {
    stopRequested = true;
    if (running) stop(running);
  });
  try {
    running = await startServer(config, logger);
  } catch (error) {
    return exitForStartupFailure(error, config);
  }
  if (stopRequested) stop(running);
}

if (require.main === module) void main();
