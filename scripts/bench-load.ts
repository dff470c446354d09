import { Pool } from 'undici';
import { percentile } from './bench-stats';

/**
 * The bench's load generator: a closed loop of `connections` keep-alive
 * connections (undici's Pool), each sending its next request as soon as the
 * previous answer has been read to the end, for `durationSeconds`.
 *
 * Why not autocannon, which the bench used before: autocannon appends every
 * response body to a JavaScript string (`req.body += chunk`, its issues #362
 * and #485, open). For a PNG that is a UTF-8 decode of binary bytes, ~400 µs of
 * the load generator's CPU per 25 KB image on this machine, against ~50 µs for
 * the same bytes when they happen to be ASCII. The generator then became the
 * bottleneck of every image load (its CPU at 100%, the server's at 60–80%), and
 * the image-vs-JSON throughput ratio measured autocannon, not Opentime. Here
 * bodies are only counted, as Buffers, whatever their type, so JSON and image
 * loads cost the generator about the same.
 */

export interface LoadRequest {
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Answers read in full. */
  requests: number;
  requestsPerSecond: number;
  /** Latency from sending a request to the last byte of its answer, in ms. */
  p50: number;
  p99: number;
  /** Answers with a status outside 2xx, and requests that failed outright. */
  errors: number;
  /** Body bytes received per answer, on average. */
  bytesPerRequest: number;
  /** CPU seconds per second the load generator itself used: near 1.0, it, not the server, may be the limit. */
  generatorBusy: number;
}

/** What one closed-loop load measured, whatever drew its requests. */
export interface ClosedLoopResult {
  /** Answers read in full. */
  answers: number;
  seconds: number;
  /** Latency from sending a request to the last byte of its answer, in ms. */
  p50: number;
  p99: number;
  /** Answers with a status outside 2xx, and requests that failed outright. */
  errors: number;
  /** Answers by HTTP status. */
  statuses: Map<number, number>;
  /** Requests that failed without an answer (connection refused or reset). */
  failed: number;
  bytesPerAnswer: number;
  /** The generator's CPU seconds per second over this load (process.cpuUsage: other loads in this process at the same time count too). */
  generatorBusy: number;
  /** True when `next` ran out before the duration was up. */
  exhausted: boolean;
}

export interface ClosedLoopOptions {
  url: string;
  /** The next request to send, or undefined when there is none left (the load then ends once the last answer is in). */
  next: () => LoadRequest | undefined;
  connections: number;
  /** Stop sending after this long; none: until `next` runs out. */
  durationSeconds?: number;
  /** Sees each answer's raw headers (name, value alternating), for a caller that counts one of them. */
  onHeaders?: (rawHeaders: Buffer[]) => void;
}

/** The closed loop itself, shared by runLoad and bench:scale's load generator (bench-scale-load.ts). */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { connections, onHeaders } = options;
  const pool = new Pool(options.url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let failed = 0;
  let errors = 0;
  let bytes = 0;
  let exhausted = false;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const endsAt = options.durationSeconds === undefined ? Number.POSITIVE_INFINITY : started + options.durationSeconds * 1000;

  // One request through undici's handler interface: no stream and no promise per body chunk, so the
  // generator's cost per answer stays small next to the server's.
  const send = (request: LoadRequest): Promise<void> =>
    new Promise((resolve) => {
      const sent = performance.now();
      let status = 0;
      pool.dispatch(
        { method: 'GET', path: request.path, headers: request.headers },
        {
          // undici 7's Pool takes this (older) form of handler; the onResponse* form needs an interceptor.
          onConnect: () => undefined,
          onHeaders: (statusCode, rawHeaders) => {
            status = statusCode;
            onHeaders?.(rawHeaders);
            return true;
          },
          onData: (chunk) => {
            bytes += chunk.length;
            return true;
          },
          onComplete: () => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status < 200 || status > 299) errors++;
            latencies.push(performance.now() - sent);
            resolve();
          },
          onError: () => {
            errors++;
            failed++;
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
    await Promise.all(Array.from({ length: connections }, connectionLoop));
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    answers: latencies.length,
    seconds,
    p50: latencies.length ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length ? percentile(latencies, 99) : Number.NaN,
    errors,
    statuses,
    failed,
    bytesPerAnswer: bytes / Math.max(1, latencies.length),
    generatorBusy: (cpu.user + cpu.system) / 1e6 / seconds,
    exhausted,
  };
}

export async function runLoad(options: { url: string; requests: readonly LoadRequest[]; connections: number; durationSeconds: number }): Promise<LoadResult> {
  if (options.requests.length === 0) throw new Error('runLoad: no requests to send');
  const load = await runClosedLoop({ url: options.url, next: cycling(options.requests), connections: options.connections, durationSeconds: options.durationSeconds });
  return {
    requests: load.answers,
    requestsPerSecond: load.answers / load.seconds,
    p50: load.p50,
    p99: load.p99,
    errors: load.errors,
    bytesPerRequest: load.bytesPerAnswer,
    generatorBusy: load.generatorBusy,
  };
}

/** Requests handed out round and round: for loads where a repeat costs the same (JSON opens). */
export function cycling(requests: readonly LoadRequest[]): () => LoadRequest {
  if (requests.length === 0) throw new Error('cycling: no requests');
  let index = 0;
  return () => requests[index++ % requests.length] as LoadRequest;
}
