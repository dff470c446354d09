import type { Logger } from '../log';
import { remainingWaitMs } from './open-wait-budget';
import { DEMO_FEED_PATH, demoFeedXml } from './feed-demo';
import { fetchFeedText } from './feed-fetch';
import { FeedSource, systemFeedClock, type FeedClock, type FeedRead, type FeedSourceStats } from './feed-source';

/**
 * Every feed the blocks read, one FeedSource per feed (docs/ARCHITECTURE.md
 * "Live feeds"), made on first use so a reloaded blocks config's new feeds
 * need no restart. Feed blocks reach them through the process's holder
 * (`sharedFeedSources().reader`, below).
 */

/** What a block asks for: the feed's URL, and where a plain JSON document keeps its items. */
export interface FeedSpec {
  /** An absolute http(s) URL, or a path of this server's demo feeds (/demo/feeds/journal.xml). */
  url: string;
  itemsPath?: string;
}

/** The feed's items for this open, or undefined when none are usable (the block shows its fallback). */
export type FeedReader = (spec: FeedSpec) => Promise<FeedRead | undefined>;

export interface FeedSourcesOptions {
  /** The image host allowlist (OPENTIME_IMAGE_HOSTS): feeds come only from these hosts. */
  allowedHosts: readonly string[];
  /** OPENTIME_IMAGE_ALLOW_PRIVATE: loopback and private addresses (tests, a feed host on the LAN). */
  allowPrivateAddresses?: boolean;
  /** Largest feed read (bytes); default 1 MiB. */
  maxBytes?: number;
  /** Fetched again after this long (ms), on a schedule while opens read it; default 5 minutes. */
  refreshMs?: number;
  /** Served while the feed fails for at most this long (ms); default 24 hours. */
  staleMs?: number;
  /** Longest one fetch may take (ms); default 5 s. */
  fetchTimeoutMs?: number;
  /** How long an open that finds no items waits for the first fetch (ms), within the open's budget; default 300. */
  openWaitMs?: number;
  /** This server's public URL: the demo feed's pictures point there. */
  publicUrl?: string;
  clock?: FeedClock;
  logger?: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

const DEFAULT_FEED_MAX_BYTES = 1024 * 1024;

export class FeedSources {
  private readonly sources = new Map<string, FeedSource>();
  private readonly clock: FeedClock;

  constructor(private readonly options: FeedSourcesOptions) {
    this.clock = options.clock ?? systemFeedClock;
  }

  /** What a feed block reads at open (kinds/feed): reads wait at most what is left of the open's budget. */
  readonly reader: FeedReader = (spec) => {
    const waitMs = remainingWaitMs(this.options.openWaitMs ?? 300, this.clock.now());
    return this.source(spec).read(waitMs);
  };

  /** Fetches these feeds now (start-up), so the first opens find items. Never rejects. */
  async prefetch(specs: readonly FeedSpec[]): Promise<void> {
    await Promise.all(specs.map((spec) => this.source(spec).refresh()));
  }

  /** Counts per feed (its host and path are not included: paths may carry keys). */
  stats(): FeedSourceStats[] {
    return [...this.sources.values()].map((source) => source.stats());
  }

  /**
   * The feeds read so far, for GET /metrics beside the pull sources (metrics/metrics.ts watch):
   * "feed:<host>", numbered from the second feed of one host on ("feed:<host>#2").
   */
  metrics(): Record<string, () => FeedSourceStats> {
    const named: Record<string, () => FeedSourceStats> = {};
    for (const source of this.sources.values()) {
      let name = `feed:${source.name}`;
      for (let n = 2; Object.hasOwn(named, name); n++) name = `feed:${source.name}#${n}`;
      named[name] = () => source.stats();
    }
    return named;
  }

  /** Resolves once no fetch of any feed is running. */
  async idle(): Promise<void> {
    await Promise.all([...this.sources.values()].map((source) => source.idle()));
  }

  close(): void {
    for (const source of this.sources.values()) source.close();
    this.sources.clear();
  }

  private source(spec: FeedSpec): FeedSource {
    const key = `${spec.url}\n${spec.itemsPath ?? ''}`;
    let source = this.sources.get(key);
    if (!source) {
      source = new FeedSource({
        fetchText: this.fetcherFor(spec.url),
        itemsPath: spec.itemsPath,
        refreshMs: this.options.refreshMs ?? 5 * 60_000,
        staleMs: this.options.staleMs ?? 24 * 3_600_000,
        timeoutMs: this.options.fetchTimeoutMs ?? 5000,
        clock: this.clock,
        name: feedName(spec.url),
        logger: this.options.logger,
      });
      this.sources.set(key, source);
    }
    return source;
  }

  private fetcherFor(url: string): (signal: AbortSignal) => Promise<string> {
    const demo = DEMO_FEED_PATH.exec(url);
    if (demo) {
      // This server's own demo feed, read in-process (sources/feed-demo.ts): offline, and no loopback fetch for the SSRF rules to refuse.
      const name = demo[1] as string;
      return async () => {
        const text = demoFeedXml(name, this.options.publicUrl ?? 'http://localhost:8080', new Date(this.clock.now()));
        if (text === undefined) throw new Error(`no demo feed named "${name}"`);
        return text;
      };
    }
    return (signal) =>
      fetchFeedText(new URL(url), {
        allowedHosts: this.options.allowedHosts,
        allowPrivateAddresses: this.options.allowPrivateAddresses ?? false,
        maxBytes: this.options.maxBytes ?? DEFAULT_FEED_MAX_BYTES,
        signal,
      });
  }
}

/** The feed's host (or "demo" for this server's own), for logs: never the path or query, which may carry keys. */
function feedName(url: string): string {
  if (DEMO_FEED_PATH.test(url)) return 'demo';
  try {
    return new URL(url).host;
  } catch {
    return 'feed';
  }
}

/**
 * The process's feeds, as the render pool is the process's (render/render-pool.ts): feed blocks
 * read through this one holder, configured at start-up from the image host allowlist (main.ts).
 * Until then it fetches nothing remote (an empty allowlist), so a one-off render (the CLI) shows
 * the demo feed and falls back for any other.
 */
let shared: FeedSources | undefined;

export function sharedFeedSources(): FeedSources {
  shared ??= new FeedSources({ allowedHosts: [] });
  return shared;
}

/** Replaces the process's feeds (start-up, tests); the previous ones stop refreshing. */
export function configureSharedFeedSources(options: FeedSourcesOptions): FeedSources {
  shared?.close();
  shared = new FeedSources(options);
  return shared;
}

export function closeSharedFeedSources(): void {
  shared?.close();
  shared = undefined;
}
