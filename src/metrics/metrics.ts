import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PullSourceStats } from '../sources/pull-source';

/** Hit and miss counts of one cache, as the caches report them. */
export interface CacheCounts {
  hits: number;
  misses: number;
}

/** Depth and totals of one write-behind queue. */
export interface QueueCounts {
  queued: number;
  written: number;
  dropped: number;
}

/**
 * What the scrape reads at collect time (never on an open's path): each
 * source is a function returning the current counts.
 */
export interface MetricSources {
  /** Caches by name, e.g. "render" (encoded images), "store.products", "locks". */
  caches?: Record<string, () => CacheCounts>;
  /** Write-behind queues by name, e.g. "renders", "clicks", "impressions", "locks". */
  queues?: Record<string, () => QueueCounts>;
  /** Pull sources by name (their host). */
  pullSources?: Record<string, () => PullSourceStats>;
  /** The background re-encoding of popular renderings (render-cache.ts). */
  imageOptimizer?: () => ImageOptimizerCounts;
}

/** Renderings waiting for, and done with, their palette re-encoding. */
export interface ImageOptimizerCounts {
  queued: number;
  optimized: number;
  dropped: number;
}

/**
 * The Prometheus metrics of one app (GET /metrics). One registry per app, so
 * tests can build many apps in one process.
 *
 * Per-open counts go through the count* methods: they add to plain numbers
 * (no label object, no label hashing on an open's path) that prom-client
 * reads at scrape time. Other modules may use `ingested` directly:
 *   metrics.ingested.inc({ type: 'products', outcome: 'applied' }, count)
 */
export interface Metrics {
  readonly registry: Registry;
  /**
   * opentime_ingested_total{type,outcome}: records received by the ingestion
   * API. `type`: products | subscribers | events (or a feed's name); `outcome`
   * (optional): applied | stale | duplicate | rejected.
   */
  readonly ingested: Counter<'type' | 'outcome'>;
  /** opentime_blocks_config_reloads_total{outcome}: blocks config reloads (file change, SIGHUP), `applied` or `refused` (invalid: the old config kept serving). */
  readonly blocksConfigReloads: Counter<'outcome'>;
  /** opentime_renders_total{block,kind,surface,client}. */
  countRender(block: string, kind: string, surface: string, client: string): void;
  /** opentime_fallbacks_total{block,surface,reason}: fallback items served instead of the live view. */
  countFallback(block: string, surface: string, reason: string): void;
  /** opentime_clicks_total{block}: clicks with a valid token. */
  countClick(block: string): void;
  /** opentime_http_request_duration_seconds{surface,status_class}. */
  observeRequest(surface: string, statusClass: string, seconds: number): void;
  /** Registers sources read at scrape time (caches, queues). Later calls add to earlier ones. */
  watch(sources: MetricSources): void;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC): on for the server, off in tests. */
  defaultMetrics?: boolean;
}

/** Request latency buckets, in seconds: an open is expected in single-digit milliseconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Tally {
  readonly labels: readonly string[];
  count: number;
}

/**
 * Counts by label values, in nested maps of mutable tallies: after the first
 * count of a label combination, counting allocates nothing. Label values are
 * bounded (block ids from config, a handful of surfaces, classes, reasons).
 */
class Tallies {
  private readonly root = new Map<string, Map<string, Map<string, Tally>>>();
  private readonly all: Tally[] = [];

  add(a: string, b = '', c = ''): void {
    let level1 = this.root.get(a);
    if (!level1) this.root.set(a, (level1 = new Map()));
    let level2 = level1.get(b);
    if (!level2) level1.set(b, (level2 = new Map()));
    let tally = level2.get(c);
    if (!tally) {
      tally = { labels: [a, b, c], count: 0 };
      level2.set(c, tally);
      this.all.push(tally);
    }
    tally.count++;
  }

  entries(): readonly Tally[] {
    return this.all;
  }
}

/**
 * A counter mirroring totals kept elsewhere: at each scrape it is reset, then
 * `fill` adds the current totals through `add`. Nothing runs on an open's path.
 */
function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  fill: (add: (labels: Record<string, string>, value: number) => void) => void,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      fill((labels, value) => this.inc(labels, value));
    },
  });
}

/** A counter whose value is the tallies', copied in at scrape time; `labelsOf` maps a tally's path to its labels. */
function tallyCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  tallies: Tallies,
  labelsOf: (path: readonly string[]) => Record<string, string> = (path) => Object.fromEntries(labelNames.map((label, index) => [label, path[index] as string])),
): void {
  mirroredCounter(registry, name, help, labelNames, (add) => {
    for (const tally of tallies.entries()) add(labelsOf(tally.labels), tally.count);
  });
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'opentime_' });

  const renders = new Tallies();
  /** The kind is fixed per block, so it is kept beside the tallies, not in their path. */
  const kindOfBlock = new Map<string, string>();
  const fallbacks = new Tallies();
  const clicks = new Tallies();
  tallyCounter(
    registry,
    'opentime_renders_total',
    'Block renders by block, kind, surface (json or image) and client class (amp, gmail-proxy, yahoo-proxy, apple-prefetch, direct).',
    ['block', 'kind', 'surface', 'client'],
    renders,
    ([block = '', surface = '', client = '']) => ({ block, kind: kindOfBlock.get(block) ?? 'unknown', surface, client }),
  );
  tallyCounter(
    registry,
    'opentime_fallbacks_total',
    'Renders that served the fallback items instead of the live view, by block, surface and reason (held_back, data_missing, error, holdout).',
    ['block', 'surface', 'reason'],
    fallbacks,
  );
  tallyCounter(registry, 'opentime_clicks_total', 'Clicks with a valid token on block slots, by block.', ['block'], clicks);

  const requestDuration = new Histogram({
    name: 'opentime_http_request_duration_seconds',
    help: 'HTTP request latency by surface (json, image, click, api, other) and status class (2xx, 3xx, 4xx, 5xx).',
    labelNames: ['surface', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  // Children fetched once per label pair (prom-client still hashes the labels on each observe).
  const latencyChildren = new Map<string, Map<string, Histogram.Internal<'surface' | 'status_class'>>>();
  const ingested = new Counter({
    name: 'opentime_ingested_total',
    help: 'Records received by the ingestion API, by type and outcome.',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });

  const blocksConfigReloads = new Counter({
    name: 'opentime_blocks_config_reloads_total',
    help: 'Blocks config reloads (file change or SIGHUP) by outcome: applied, or refused (invalid; the previous config keeps serving).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const caches: Record<string, () => CacheCounts> = {};
  const queues: Record<string, () => QueueCounts> = {};
  mirroredCounter(registry, 'opentime_cache_requests_total', 'Cache lookups by cache and result (hit, miss).', ['cache', 'result'], (add) => {
    for (const [cache, read] of Object.entries(caches)) {
      const { hits, misses } = read();
      add({ cache, result: 'hit' }, hits);
      add({ cache, result: 'miss' }, misses);
    }
  });
  new Gauge({
    name: 'opentime_cache_hit_ratio',
    help: 'Hits ÷ lookups since start, by cache (NaN before the first lookup).',
    labelNames: ['cache'] as const,
    registers: [registry],
    collect() {
      for (const [cache, read] of Object.entries(caches)) {
        const { hits, misses } = read();
        this.set({ cache }, hits + misses === 0 ? Number.NaN : hits / (hits + misses));
      }
    },
  });
  new Gauge({
    name: 'opentime_write_behind_queue_depth',
    help: 'Rows waiting in memory to be written, by queue (renders = the render log, clicks, impressions, locks).',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      for (const [queue, read] of Object.entries(queues)) this.set({ queue }, read().queued);
    },
  });
  for (const [name, field, help] of [
    ['opentime_write_behind_written_total', 'written', 'Rows written to the store, by queue.'],
    ['opentime_write_behind_dropped_total', 'dropped', 'Rows dropped because the queue was full or a batch failed, by queue.'],
  ] as const) {
    mirroredCounter(registry, name, help, ['queue'], (add) => {
      for (const [queue, read] of Object.entries(queues)) add({ queue }, read()[field]);
    });
  }

  const pullSources: Record<string, () => PullSourceStats> = {};
  mirroredCounter(
    registry,
    'opentime_pull_source_reads_total',
    'Product reads through a pull source, by source and what they got: live (fetched), cached, stale (the source failed; the last good answer), unavailable (nothing usable; catalogue figures shown).',
    ['source', 'result'],
    (add) => {
      for (const [source, read] of Object.entries(pullSources)) {
        const counts = read();
        for (const result of ['live', 'cached', 'stale', 'unavailable'] as const) add({ source, result }, counts[result]);
      }
    },
  );
  for (const [name, field, help] of [
    ['opentime_pull_source_failures_total', 'failures', 'Calls to a pull source that failed or timed out, by source.'],
    ['opentime_pull_source_breaker_rejections_total', 'rejectedByBreaker', 'Calls not made because the circuit breaker was open, by source.'],
  ] as const) {
    mirroredCounter(registry, name, help, ['source'], (add) => {
      for (const [source, read] of Object.entries(pullSources)) add({ source }, read()[field]);
    });
  }
  new Gauge({
    name: 'opentime_pull_source_breaker_state',
    help: 'The circuit breaker of each pull source: 1 for its current state (closed, open, halfOpen), 0 for the others.',
    labelNames: ['source', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [source, read] of Object.entries(pullSources)) {
        const { breaker } = read();
        for (const state of ['closed', 'open', 'halfOpen'] as const) this.set({ source, state }, breaker === state ? 1 : 0);
      }
    },
  });

  let imageOptimizer: (() => ImageOptimizerCounts) | undefined;
  new Gauge({
    name: 'opentime_image_optimize_queue_depth',
    help: 'Popular renderings waiting for their palette re-encoding (one runs at a time, in the background).',
    registers: [registry],
    collect() {
      if (imageOptimizer) this.set(imageOptimizer().queued);
    },
  });
  for (const [name, field, help] of [
    ['opentime_image_optimized_total', 'optimized', 'Cached renderings whose bytes were replaced by a smaller palette PNG.'],
    ['opentime_image_optimize_dropped_total', 'dropped', 'Re-encodings not queued because the queue was full (the rendering keeps its first encoding).'],
  ] as const) {
    mirroredCounter(registry, name, help, [], (add) => {
      if (imageOptimizer) add({}, imageOptimizer()[field]);
    });
  }

  return {
    registry,
    ingested,
    blocksConfigReloads,
    countRender(block, kind, surface, client) {
      if (!kindOfBlock.has(block)) kindOfBlock.set(block, kind);
      renders.add(block, surface, client);
    },
    countFallback(block, surface, reason) {
      fallbacks.add(block, surface, reason);
    },
    countClick(block) {
      clicks.add(block);
    },
    observeRequest(surface, statusClass, seconds) {
      let bySurface = latencyChildren.get(surface);
      if (!bySurface) latencyChildren.set(surface, (bySurface = new Map()));
      let child = bySurface.get(statusClass);
      if (!child) bySurface.set(statusClass, (child = requestDuration.labels(surface, statusClass)));
      child.observe(seconds);
    },
    watch(sources) {
      Object.assign(caches, sources.caches);
      Object.assign(queues, sources.queues);
      Object.assign(pullSources, sources.pullSources);
      if (sources.imageOptimizer) imageOptimizer = sources.imageOptimizer;
    },
  };
}
