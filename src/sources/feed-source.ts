import CircuitBreaker from 'opossum';
import { InFlight } from '../in-flight';
import type { Logger } from '../log';
import { parseFeed, type ParsedFeed } from './feed-items';
import type { PullClock, PullSourceStats } from './pull-source';

/**
 * ONE FEED, kept fresh (docs/ARCHITECTURE.md "Live feeds"). The last good
 * parse is kept in memory and served stale-while-revalidate: a fresh copy is
 * answered at once; a stale one (older than `refreshMs`, younger than
 * `staleMs`) is answered at once too while one refetch runs behind it; only
 * an open that finds nothing usable waits, and then no longer than it is
 * told (the open's wait budget, sources/open-wait-budget.ts). Once read, the
 * feed is also refetched on a schedule, so a feed that opens keep asking for
 * is usually fresh before anyone waits. Failures (HTTP errors, timeouts,
 * oversized or unparseable answers) keep the last good items and count
 * towards an opossum circuit breaker, as the pull source does
 * (sources/pull-source.ts), so a failing host is left alone for a while.
 */

/** Time as a feed sees it: the pull source's clock (tests move it instead of sleeping). */
export type FeedClock = PullClock;

/** The system's clock, with timers that never keep the process alive (the pull source's do not need to). */
export const systemFeedClock: FeedClock = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    // A feed refresh is never a reason for the process to stay up.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Opens that find stale items start a refetch at most this often (and never more often than the refresh interval). */
const RETRY_MS = 30_000;

type FeedFreshness = 'fresh' | 'stale';

export interface FeedRead {
  feed: ParsedFeed;
  /** Epoch ms of the fetch these items came from. */
  fetchedAt: number;
  freshness: FeedFreshness;
}

interface FeedSourceOptions {
  /** Fetches the feed's text (throws on any failure); aborted through `signal` at `timeoutMs`. */
  fetchText(signal: AbortSignal): Promise<string>;
  itemsPath?: string;
  /** Items younger than this are served without refetching, and the schedule refetches this often (ms). */
  refreshMs: number;
  /** Items older than this are no longer served (ms). */
  staleMs: number;
  /** Longest one fetch may take, body included (ms). */
  timeoutMs: number;
  /** How long the breaker stays open before one trial fetch (ms). */
  breakerResetMs?: number;
  /** A feed not read for this long stops being refreshed on schedule (ms); default: staleMs. */
  idleMs?: number;
  clock: FeedClock;
  /** For logs and metrics: the feed's host, never its path (it may carry keys). */
  name: string;
  logger?: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

/**
 * A feed's counts in the pull sources' shape, so GET /metrics shows feeds beside them
 * (opentime_pull_source_*, source "feed:<host>"): `live` reads waited for a fetch, `cached`
 * were fresh in memory, `stale` were served while the feed failed, `unavailable` got nothing.
 */
export type FeedSourceStats = PullSourceStats;

export class FeedSource {
  private last: { feed: ParsedFeed; fetchedAt: number } | undefined;
  private lastReadAt = 0;
  /** When the last fetch started: opens that find stale items ask again at most every RETRY_MS. */
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private cancelSchedule: (() => void) | undefined;
  private closed = false;
  private readonly inFlight = new InFlight<'fetch', boolean>();
  private readonly breaker: CircuitBreaker<[], ParsedFeed>;
  private readonly counters = { live: 0, cached: 0, stale: 0, unavailable: 0, failures: 0, rejectedByBreaker: 0 };

  constructor(private readonly options: FeedSourceOptions) {
    this.breaker = new CircuitBreaker(() => this.fetchOnce(), {
      // fetchOnce has its own deadline on the feed's clock.
      timeout: false,
      resetTimeout: options.breakerResetMs ?? 60_000,
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      rollingCountTimeout: 10 * 60_000,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      name: 'feed',
    });
    this.breaker.on('open', () => options.logger?.warn({ feed: options.name }, 'feed failing: circuit breaker open, serving the last good items'));
    this.breaker.on('close', () => options.logger?.info({ feed: options.name }, 'feed recovered: circuit breaker closed'));
  }

  /**
   * The feed's items for an open: fresh or stale at once, else the first fetch's result if it
   * lands within `waitMs`, else undefined (the block shows its fallback). Never rejects.
   */
  async read(waitMs: number): Promise<FeedRead | undefined> {
    const now = this.options.clock.now();
    this.lastReadAt = now;
    this.schedule();
    const usable = this.usable(now);
    if (usable) {
      // Revalidate behind the stale answer, but not on every open while the feed is down.
      if (usable.freshness === 'stale' && now - this.lastAttemptAt >= Math.min(RETRY_MS, this.options.refreshMs)) void this.refresh();
      this.counters[usable.freshness === 'fresh' ? 'cached' : 'stale']++;
      return usable;
    }
    if (await this.within(this.refresh(), waitMs)) {
      const fetched = this.usable(this.options.clock.now());
      if (fetched) {
        this.counters.live++;
        return fetched;
      }
    }
    this.counters.unavailable++;
    return undefined;
  }

  /** Fetches now (start-up, and the schedule); resolves true when new items were kept. */
  refresh(): Promise<boolean> {
    return this.inFlight.run('fetch', () => {
      this.lastAttemptAt = this.options.clock.now();
      return this.breaker.fire().then(
        (feed) => {
          this.last = { feed, fetchedAt: this.options.clock.now() };
          return true;
        },
        (error: unknown) => {
          // The breaker's refusals are its own state, logged once when it opens.
          if ((error as { code?: string }).code === 'EOPENBREAKER') {
            this.counters.rejectedByBreaker++;
            return false;
          }
          this.counters.failures++;
          this.options.logger?.warn({ feed: this.options.name, reason: (error as Error)?.message ?? String(error) }, 'feed not fetched; keeping the last good items');
          return false;
        },
      );
    });
  }

  /** The feed's host (or "demo"), for logs and metrics. */
  get name(): string {
    return this.options.name;
  }

  stats(): FeedSourceStats {
    const breaker = this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'halfOpen' : 'closed';
    return { ...this.counters, breaker };
  }

  /** Resolves once no fetch is running. */
  idle(): Promise<void> {
    return this.inFlight.idle();
  }

  /** Stops the schedule and the breaker's timers. */
  close(): void {
    this.closed = true;
    this.cancelSchedule?.();
    this.cancelSchedule = undefined;
    this.breaker.shutdown();
  }

  private usable(now: number): FeedRead | undefined {
    if (!this.last) return undefined;
    const age = now - this.last.fetchedAt;
    if (age > this.options.staleMs) return undefined;
    return { feed: this.last.feed, fetchedAt: this.last.fetchedAt, freshness: age < this.options.refreshMs ? 'fresh' : 'stale' };
  }

  /** Keeps one refresh timer while the feed is being read; a feed nobody reads for idleMs is left to sleep. */
  private schedule(): void {
    if (this.closed || this.cancelSchedule) return;
    this.cancelSchedule = this.options.clock.after(this.options.refreshMs, () => {
      this.cancelSchedule = undefined;
      if (this.closed) return;
      const idleFor = this.options.clock.now() - this.lastReadAt;
      if (idleFor > (this.options.idleMs ?? this.options.staleMs)) return;
      void this.refresh().finally(() => this.schedule());
    });
  }

  private async fetchOnce(): Promise<ParsedFeed> {
    const abort = new AbortController();
    const cancel = this.options.clock.after(this.options.timeoutMs, () => abort.abort(new Error(`no complete answer within ${this.options.timeoutMs} ms`)));
    try {
      const text = await this.options.fetchText(abort.signal);
      return parseFeed(text, { itemsPath: this.options.itemsPath });
    } catch (error) {
      throw abort.signal.aborted ? abort.signal.reason : error;
    } finally {
      cancel();
    }
  }

  private async within(promise: Promise<boolean>, ms: number): Promise<boolean> {
    if (ms <= 0) return false;
    let cancel: (() => void) | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      cancel = this.options.clock.after(ms, () => resolve(false));
    });
    try {
      return await Promise.race([promise, deadline]);
    } finally {
      cancel?.();
    }
  }
}
