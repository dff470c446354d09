import { Pool } from 'undici';
import type { LoadRequest } from './bench-load';
import { percentile } from './bench-stats';

/**
 * The load generator of bench:scale. Same closed loop as bench-load.ts
 * (undici's Pool, bodies only counted), with what the scale sections need on
 * top: a request source that can run out (a prefetch wave fetches each URL
 * once; a cold-render load must never ask for the same picture twice), and a
 * tally of statuses and X-Opentime-Outcome headers, because an image answer
 * is always a 200 and only that header tells a render from a shed, busy or
 * degraded fallback.
 */

export interface Tally {
  /** Answers by HTTP status. */
  statuses: Map<number, number>;
  /** Image answers by X-Opentime-Outcome (view, fallback, busy, shed, degraded, …). */
  outcomes: Map<string, number>;
  /** Requests that failed without an answer (connection refused or reset). */
  failed: number;
}

export interface ScaleLoadResult {
  /** Answers read in full. */
  answers: number;
  seconds: number;
  answersPerSecond: number;
  /** Answers with X-Opentime-Outcome: view (the live view, drawn or cached) per second. */
  viewsPerSecond: number;
  /** Latency from sending to the last byte, ms. */
  p50: number;
  p99: number;
  /** Non-2xx answers plus failed requests. */
  errors: number;
  tally: Tally;
  bytesPerAnswer: number;
  /** The load generator's CPU seconds per second over this load (process.cpuUsage; other loads running in this process at the same time count too). */
  generatorBusy: number;
  /** True when the source ran out before the duration was up. */
  exhausted: boolean;
}

export interface ScaleLoadOptions {
  url: string;
  /** The next request to send, or undefined when there is none left (the load then ends once the last answer is in). */
  next: () => LoadRequest | undefined;
  connections: number;
  /** Stop sending after this long; none: until `next` runs out. */
  durationSeconds?: number;
}

const OUTCOME_HEADER = 'x-opentime-outcome';

export async function runScaleLoad(options: ScaleLoadOptions): Promise<ScaleLoadResult> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  const tally: Tally = { statuses: new Map(), outcomes: new Map(), failed: 0 };
  let bytes = 0;
  let errors = 0;
  let exhausted = false;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const endsAt = options.durationSeconds === undefined ? Number.POSITIVE_INFINITY : started + options.durationSeconds * 1000;

  const send = (request: LoadRequest): Promise<void> =>
    new Promise((resolve) => {
      const sent = performance.now();
      let status = 0;
      pool.dispatch(
        { method: 'GET', path: request.path, headers: request.headers },
        {
          // undici 7's Pool takes this (older) handler form, as in bench-load.ts.
          onConnect: () => undefined,
          onHeaders: (statusCode, rawHeaders) => {
            status = statusCode;
            // Raw headers alternate name, value; only image answers carry the outcome, near the end.
            for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
              const name = rawHeaders[i] as Buffer;
              if (name.length === OUTCOME_HEADER.length && name.toString('latin1').toLowerCase() === OUTCOME_HEADER) {
                const outcome = (rawHeaders[i + 1] as Buffer).toString('latin1');
                tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
              }
            }
            return true;
          },
          onData: (chunk) => {
            bytes += chunk.length;
            return true;
          },
          onComplete: () => {
            tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
            if (status < 200 || status > 299) errors++;
            latencies.push(performance.now() - sent);
            resolve();
          },
          onError: () => {
            errors++;
            tally.failed++;
            // A refused connection fails at once: pause rather than spin.
            setTimeout(resolve, 10);
          },
        },
      );
    });

  async function connectionLoop(): Promise<void> {
    while (performance.now() < endsAt) {
      const request = options.next();
      if (!request) {
        exhausted = options.durationSeconds !== undefined;
        return;
      }
      await send(request);
    }
  }

  try {
    await Promise.all(Array.from({ length: options.connections }, connectionLoop));
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    answers: latencies.length,
    seconds,
    answersPerSecond: latencies.length / seconds,
    viewsPerSecond: (tally.outcomes.get('view') ?? 0) / seconds,
    p50: latencies.length ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length ? percentile(latencies, 99) : Number.NaN,
    errors,
    tally,
    bytesPerAnswer: bytes / Math.max(1, latencies.length),
    generatorBusy: (cpu.user + cpu.system) / 1e6 / seconds,
    exhausted,
  };
}

/** Requests handed out in order, each once: loads drawing from one source never repeat a request. */
export class RequestSource {
  private index = 0;
  constructor(private readonly requests: readonly LoadRequest[]) {}
  readonly next = (): LoadRequest | undefined => this.requests[this.index++];
  get used(): number {
    return Math.min(this.index, this.requests.length);
  }
  get size(): number {
    return this.requests.length;
  }
}

/** Requests handed out round and round: for loads where a repeat costs the same (JSON opens). */
export function cycling(requests: readonly LoadRequest[]): () => LoadRequest {
  if (requests.length === 0) throw new Error('cycling: no requests');
  let index = 0;
  return () => requests[index++ % requests.length] as LoadRequest;
}

/** "view 1200, busy 3" — every outcome and non-200 status of a load, for the reader to spot what was not a normal answer. */
export function describeTally(tally: Tally): string {
  const parts: string[] = [];
  const outcomes = [...tally.outcomes].sort((a, b) => b[1] - a[1]);
  if (outcomes.length) parts.push(`outcomes ${outcomes.map(([outcome, count]) => `${outcome} ${count}`).join(', ')}`);
  const odd = [...tally.statuses].filter(([status]) => status !== 200);
  if (odd.length) parts.push(`statuses ${odd.map(([status, count]) => `${status}×${count}`).join(', ')}`);
  if (tally.failed) parts.push(`${tally.failed} failed without an answer`);
  return parts.join('; ') || 'all 200';
}

/** Tallies of several loads as one. */
export function mergeTallies(tallies: readonly Tally[]): Tally {
  const merged: Tally = { statuses: new Map(), outcomes: new Map(), failed: 0 };
  for (const tally of tallies) {
    for (const [status, count] of tally.statuses) merged.statuses.set(status, (merged.statuses.get(status) ?? 0) + count);
    for (const [outcome, count] of tally.outcomes) merged.outcomes.set(outcome, (merged.outcomes.get(outcome) ?? 0) + count);
    merged.failed += tally.failed;
  }
  return merged;
}
