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

export async function runLoad(options: { url: string; requests: readonly LoadRequest[]; connections: number; durationSeconds: number }): Promise<LoadResult> {
  const { requests, connections } = options;
  if (requests.length === 0) throw new Error('runLoad: no requests to send');
  const pool = new Pool(options.url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const endsAt = started + options.durationSeconds * 1000;

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
          onHeaders: (statusCode) => {
            status = statusCode;
            return true;
          },
          onData: (chunk) => {
            bytes += chunk.length;
            return true;
          },
          onComplete: () => {
            if (status < 200 || status > 299) errors++;
            latencies.push(performance.now() - sent);
            resolve();
          },
          onError: () => {
            errors++;
            // A refused connection fails at once: pause rather than spin.
            setTimeout(resolve, 10);
          },
        },
      );
    });

  async function connectionLoop(): Promise<void> {
    while (performance.now() < endsAt) await send(requests[next++ % requests.length] as LoadRequest);
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
    requests: latencies.length,
    requestsPerSecond: latencies.length / seconds,
    p50: latencies.length ? percentile(latencies, 50) : Number.NaN,
    p99: latencies.length ? percentile(latencies, 99) : Number.NaN,
    errors,
    bytesPerRequest: bytes / Math.max(1, latencies.length),
    generatorBusy: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
