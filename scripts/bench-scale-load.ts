import { runClosedLoop, type ClosedLoopOptions, type LoadRequest } from './bench-load';

/**
 * The load generator of bench:scale: bench-load.ts's closed loop
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

export type ScaleLoadOptions = Omit<ClosedLoopOptions, 'onHeaders'>;

const OUTCOME_HEADER = 'x-opentime-outcome';

export async function runScaleLoad(options: ScaleLoadOptions): Promise<ScaleLoadResult> {
  const outcomes = new Map<string, number>();
  const load = await runClosedLoop({
    ...options,
    onHeaders: (rawHeaders) => {
      // Raw headers alternate name, value; only image answers carry the outcome, near the end.
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i] as Buffer;
        if (name.length === OUTCOME_HEADER.length && name.toString('latin1').toLowerCase() === OUTCOME_HEADER) {
          const outcome = (rawHeaders[i + 1] as Buffer).toString('latin1');
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      }
    },
  });
  return {
    answers: load.answers,
    seconds: load.seconds,
    answersPerSecond: load.answers / load.seconds,
    viewsPerSecond: (outcomes.get('view') ?? 0) / load.seconds,
    p50: load.p50,
    p99: load.p99,
    errors: load.errors,
    tally: { statuses: load.statuses, outcomes, failed: load.failed },
    bytesPerAnswer: load.bytesPerAnswer,
    generatorBusy: load.generatorBusy,
    exhausted: load.exhausted,
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
