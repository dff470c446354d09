import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { z } from 'zod';
import type { PriceList } from '../data/model';
import { InFlight } from '../in-flight';
import type { Logger } from '../log';

/**
 * A retailer's own stock/price API, read at open time (README "Pull sources"): one GET per
 * product on a URL template, a strict timeout, a short cache, the last good
 * answer served when the source fails (with its age), and a circuit breaker
 * that stops calling a failing source for a while. `read` never rejects and
 * never waits longer than it is told to: an email open must not hang on a
 * third-party API. Answers are read up to `maxAnswerBytes`: a source that
 * sends more (a runaway export, a hostile endpoint) is cut off and counted as
 * failing, instead of being buffered whole.
 *
 * The pull source's own waits run on the injected `clock` (call deadlines,
 * wait budgets, cache ages). The circuit breaker is opossum, which reads
 * Date.now and schedules its own timers (the reset timeout, the rolling
 * window's bucket rotation, all unref'd and stopped by `close`): a test that
 * moves time fakes the global timers and clock (jest's fake timers) and gives
 * the source a clock that reads them, so both see the same time.
 */

/** Time as the pull source sees it. */
export interface PullClock {
  now(): number;
  /** Calls `callback` once `ms` have passed; the returned function cancels it. */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: PullClock = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A stock/price answer is a few hundred bytes; 64 KiB leaves room for a verbose source and no more. */
export const DEFAULT_PULL_MAX_ANSWER_BYTES = 64 * 1024;

/** What the source may tell us about a product; anything it leaves out keeps the catalogue's value. */
export interface LiveFigures {
  stock?: number;
  price?: number;
  salePrice?: number | null;
  currency?: string;
  /** The price list in other currencies, replacing the catalogue's whole (data/market.ts). */
  prices?: PriceList;
}

export type PullFreshness =
  /** Fetched for this read. */
  | 'live'
  /** Fetched less than `cacheMs` ago. */
  | 'cached'
  /** The source failed, timed out or its breaker is open: the last good answer, `ageMs` old. */
  | 'stale';

export interface PulledFigures<Figures = LiveFigures> {
  figures: Figures;
  /** Epoch ms when the source gave these figures. */
  fetchedAt: number;
  ageMs: number;
  freshness: PullFreshness;
}

/**
 * What a source's answers are: how a key becomes a URL and a JSON answer
 * becomes figures. The stock/price format (one `{id}` per product) is the
 * default; the weather source (sources/weather-source.ts) brings its own, so
 * both run on the same cache, breaker, size limit and wait budget.
 */
export interface PullFormat<Figures> {
  /** Placeholders the URL template must hold, e.g. ["{id}"]. */
  readonly placeholders: readonly string[];
  /** The URL asking about one key. */
  url(urlTemplate: string, key: string): string;
  /** The figures in a parsed JSON answer; throws a PullSourceError saying what was expected. */
  parse(json: unknown): Figures;
}

export interface PullSourceOptions<Figures = LiveFigures> {
  /** e.g. https://api.shop.example/stock/{id}; `{id}` is replaced by the URL-encoded product id. */
  urlTemplate: string;
  /** How keys become URLs and answers become figures; default: the stock/price format. */
  format?: PullFormat<Figures>;
  /** Longest one call to the source may take (ms); default 80. */
  timeoutMs?: number;
  /** How long an answer is reused without asking again (ms); default 1000. */
  cacheMs?: number;
  /** How old an answer may be and still be served when the source fails (ms); default 10 minutes. */
  staleMs?: number;
  /** How long the breaker stays open before one trial call (ms); default 10 s. */
  breakerResetMs?: number;
  /** Calls in the rolling window before the breaker may open; default 5. */
  breakerVolumeThreshold?: number;
  /** Failure percentage in the rolling window over which the breaker opens; default 50. */
  breakerErrorPercentage?: number;
  /** Sent as the Authorization header. */
  authorization?: string;
  /** Largest answer body read (bytes); a longer one is a failure. Default 64 KiB. */
  maxAnswerBytes?: number;
  /** Products remembered (fresh and stale); default 50,000. */
  maxEntries?: number;
  logger?: Logger;
  /**
   * The clock of call deadlines, wait budgets and cache ages; default: the system's. The breaker
   * always runs on the global Date.now and timers, so a test that moves this clock fakes those.
   */
  clock?: PullClock;
}

export interface PullSourceStats {
  live: number;
  cached: number;
  stale: number;
  /** Reads that got nothing from the source (failure and no usable last answer): the catalogue's values were used. */
  unavailable: number;
  /** Calls that reached the source and failed, timed out or answered more than the size limit. */
  failures: number;
  /** Reads refused at once because the breaker was open. */
  rejectedByBreaker: number;
  breaker: BreakerState;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** The breaker's rolling window: failures older than this no longer count (kept in ten buckets). */
const BREAKER_WINDOW_MS = 10_000;

/** The source's answer: a JSON object with any of these fields; others are ignored (it is the retailer's format). */
const answerSchema = z
  .looseObject({
    stock: z.number().int().min(0).optional(),
    price: z.number().finite().min(0).optional(),
    salePrice: z.number().finite().min(0).nullable().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    prices: z
      .record(z.string().regex(/^[A-Z]{3}$/), z.object({ price: z.number().finite().min(0), salePrice: z.number().finite().min(0).nullable().default(null) }))
      .optional(),
  })
  .refine((answer) => ['stock', 'price', 'salePrice', 'currency', 'prices'].some((field) => answer[field] !== undefined), {
    message: 'expected at least one of stock, price, salePrice, currency, prices',
  });

/** A remembered answer; `figures: null` means the source does not know the key (404). */
interface Remembered<Figures> {
  figures: Figures | null;
  fetchedAt: number;
}

export class PullSourceError extends Error {
  override name = 'PullSourceError';
}

/** The retailer's stock/price answers: one GET per product id. */
const STOCK_FORMAT: PullFormat<LiveFigures> = {
  placeholders: ['{id}'],
  url: (urlTemplate, productId) => urlTemplate.replaceAll('{id}', encodeURIComponent(productId)),
  parse: stockFigures,
};

/** Only the stock/price figures may come without a format: any other kind of figures names its own. */
type PullSourceSettings<Figures> = PullSourceOptions<Figures> & ([Figures] extends [LiveFigures] ? unknown : { format: PullFormat<Figures> });

export class PullSource<Figures = LiveFigures> {
  readonly timeoutMs: number;
  /** The source's host, for logs and metrics labels (never the path: it may carry ids or keys). */
  readonly name: string;
  readonly maxAnswerBytes: number;
  private readonly cacheMs: number;
  private readonly staleMs: number;
  private readonly clock: PullClock;
  private readonly format: PullFormat<Figures>;
  private readonly remembered: LRUCache<string, Remembered<Figures>>;
  private readonly inFlight = new InFlight<string, Remembered<Figures> | undefined>();
  private readonly breaker: CircuitBreaker<[string], Remembered<Figures>>;
  private readonly counters = { live: 0, cached: 0, stale: 0, unavailable: 0, failures: 0, rejectedByBreaker: 0 };

  constructor(private readonly options: PullSourceSettings<Figures>) {
    // Without a format the figures are LiveFigures (PullSourceSettings allows nothing else).
    this.format = options.format ?? (STOCK_FORMAT as unknown as PullFormat<Figures>);
    for (const placeholder of this.format.placeholders) {
      if (!options.urlTemplate.includes(placeholder)) throw new PullSourceError(`The pull source URL ${options.urlTemplate} has no ${placeholder} placeholder.`);
    }
    this.timeoutMs = options.timeoutMs ?? 80;
    this.name = hostOf(options.urlTemplate, this.format.placeholders);
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_PULL_MAX_ANSWER_BYTES;
    this.cacheMs = options.cacheMs ?? 1000;
    this.staleMs = options.staleMs ?? 600_000;
    this.clock = options.clock ?? systemClock;
    this.remembered = new LRUCache({ max: options.maxEntries ?? 50_000 });
    this.breaker = new CircuitBreaker((key: string) => this.fetchFigures(key), {
      // No timer of opossum's own for the call: fetchFigures has one deadline on the clock, body
      // included, and fails (aborting the request) when it passes; the breaker counts that failure.
      timeout: false,
      resetTimeout: options.breakerResetMs ?? 10_000,
      volumeThreshold: options.breakerVolumeThreshold ?? 5,
      errorThresholdPercentage: options.breakerErrorPercentage ?? 50,
      rollingCountTimeout: BREAKER_WINDOW_MS,
      rollingCountBuckets: 10,
      // Only counts are read (stats()); no latency percentiles, no snapshot events and their interval.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      name: 'pull-source',
    });
    // State changes are rare and worth a line; per-call failures are not (an outage would flood the log).
    this.breaker.on('open', () => options.logger?.warn({ source: this.name }, 'pull source failing: circuit breaker open, serving last known figures'));
    this.breaker.on('halfOpen', () => options.logger?.info({ source: this.name }, 'pull source: circuit breaker half-open, trying one call'));
    this.breaker.on('close', () => options.logger?.info({ source: this.name }, 'pull source recovered: circuit breaker closed'));
  }

  /** The source's clock, which wait budgets are measured on. */
  now(): number {
    return this.clock.now();
  }

  /**
   * The source's figures for a key (a product id, a rounded place), or undefined when there are none to
   * use (unknown to the source, or failing with no recent enough answer).
   * Waits at most `waitMs` (default: the timeout); a call still running then
   * carries on in the background and fills the cache for the next open.
   */
  async read(key: string, waitMs: number = this.timeoutMs): Promise<PulledFigures<Figures> | undefined> {
    const known = this.remembered.get(key);
    const now = this.clock.now();
    if (known && now - known.fetchedAt < this.cacheMs) {
      this.counters.cached++;
      return this.answer(known, 'cached', now);
    }
    const fetched = await withinMs(this.refresh(key), waitMs, this.clock);
    if (fetched) {
      this.counters.live++;
      return this.answer(fetched, 'live', this.clock.now());
    }
    if (known && now - known.fetchedAt <= this.staleMs) {
      this.counters.stale++;
      const stale = this.answer(known, 'stale', this.clock.now());
      this.options.logger?.debug({ source: this.name, key, ageMs: stale?.ageMs }, 'pull source unavailable: serving the last good answer');
      return stale;
    }
    this.counters.unavailable++;
    return undefined;
  }

  stats(): PullSourceStats {
    const breaker: BreakerState = this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'halfOpen' : 'closed';
    return { ...this.counters, breaker };
  }

  /** Resolves once no call to the source is running (each has answered, failed or timed out). */
  idle(): Promise<void> {
    return this.inFlight.idle();
  }

  /**
   * Loads Node's fetch client (undici) with a `data:` URL, no network. The
   * first fetch of a process spends ~50 ms (more under load) loading it,
   * which would eat most of an 80 ms timeout on the first open after start.
   */
  async warmUp(): Promise<void> {
    await (await fetch('data:application/json,{}')).json();
  }

  /** Stops the breaker's timers (its reset timeout and bucket rotation); running calls end at their deadline. */
  close(): void {
    this.breaker.shutdown();
  }

  private answer(remembered: Remembered<Figures>, freshness: PullFreshness, now: number): PulledFigures<Figures> | undefined {
    if (!remembered.figures) return undefined;
    return { figures: remembered.figures, fetchedAt: remembered.fetchedAt, ageMs: Math.max(0, now - remembered.fetchedAt), freshness };
  }

  /** One call per product at a time, however many opens ask; resolves undefined on any failure. */
  private refresh(key: string): Promise<Remembered<Figures> | undefined> {
    return this.inFlight.run(key, () =>
      this.breaker.fire(key).then(
        (remembered) => {
          this.remembered.set(key, remembered);
          return remembered;
        },
        (error: unknown) => {
          if ((error as { code?: string }).code === 'EOPENBREAKER') this.counters.rejectedByBreaker++;
          else this.counters.failures++;
          this.options.logger?.debug({ source: this.name, key, err: error }, 'pull source call failed');
          return undefined;
        },
      ),
    );
  }

  private async fetchFigures(key: string): Promise<Remembered<Figures>> {
    const url = this.format.url(this.options.urlTemplate, key);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.authorization) headers.authorization = this.options.authorization;
    // One deadline for the whole call, body included: a source that trickles its answer is as slow as one that never starts.
    const abort = new AbortController();
    const cancelTimeout = this.clock.after(this.timeoutMs, () => abort.abort(new PullSourceError(`no complete answer within ${this.timeoutMs} ms`)));
    try {
      const response = await fetch(url, { headers, signal: abort.signal, redirect: 'error' });
      const fetchedAt = this.clock.now();
      if (response.status === 404) {
        await response.body?.cancel();
        return { figures: null, fetchedAt };
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new PullSourceError(`HTTP ${response.status} from the pull source`);
      }
      const body = await readAtMost(response, this.maxAnswerBytes, abort);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new PullSourceError('The pull source answered something that is not JSON');
      }
      return { figures: this.format.parse(json), fetchedAt };
    } catch (error) {
      throw abort.signal.aborted && abort.signal.reason instanceof PullSourceError ? abort.signal.reason : error;
    } finally {
      cancelTimeout();
    }
  }
}

/** The stock/price figures of one answer; the fields it leaves out keep the catalogue's values. */
function stockFigures(json: unknown): LiveFigures {
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) throw new PullSourceError(`Unexpected answer from the pull source: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { stock, price, salePrice, currency, prices } = parsed.data;
  const figures: LiveFigures = {};
  if (stock !== undefined) figures.stock = stock;
  if (price !== undefined) figures.price = price;
  if (salePrice !== undefined) figures.salePrice = salePrice;
  if (currency !== undefined) figures.currency = currency;
  if (prices !== undefined) figures.prices = prices;
  return figures;
}

/**
 * The answer's text, read only up to `maxBytes`: a declared Content-Length over it is refused
 * before a byte is read, and a body that streams past it is cut off there (the connection is
 * aborted, so the source stops sending). `response.json()` would buffer any size.
 */
async function readAtMost(response: Response, maxBytes: number, abort: AbortController): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    const tooLarge = new PullSourceError(`The pull source's answer is ${declared} bytes, over the ${maxBytes}-byte limit`);
    abort.abort(tooLarge);
    throw tooLarge;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body) {
    received += chunk.byteLength;
    if (received > maxBytes) {
      const tooLarge = new PullSourceError(`The pull source's answer is over the ${maxBytes}-byte limit`);
      abort.abort(tooLarge);
      throw tooLarge;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hostOf(urlTemplate: string, placeholders: readonly string[]): string {
  try {
    return new URL(placeholders.reduce((url, placeholder) => url.replaceAll(placeholder, '0'), urlTemplate)).host;
  } catch {
    return 'pull source';
  }
}

/** The promise's value if it settles within `ms` on `clock`, else undefined (the promise itself runs on). */
async function withinMs<T>(promise: Promise<T | undefined>, ms: number, clock: PullClock): Promise<T | undefined> {
  if (ms <= 0) return undefined;
  let cancel: (() => void) | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    cancel = clock.after(ms, () => resolve(undefined));
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    cancel?.();
  }
}
