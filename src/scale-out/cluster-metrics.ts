import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType, type Registry } from 'prom-client';
import { isClusterMessage } from './cluster-message';

const METRICS_REQUEST = 'opentime:metrics-request';
const METRICS_REPLY = 'opentime:metrics-reply';

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: string;
}

interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: string;
  text?: string;
  error?: string;
}


/** Longest a scrape waits for the primary to gather every worker's figures. */
const SCRAPE_TIMEOUT_MS = 5000;

/**
 * GET /metrics of a cluster: whichever worker takes the scrape asks the
 * primary, which gathers every worker's registry and sums them
 * (prom-client's AggregatorRegistry), so a scraper sees one server, not a
 * different worker's counters at each scrape (docs/ARCHITECTURE.md, "Scale-out").
 */
export class ClusterMetrics {
  private readonly waiting = new Map<string, { resolve(text: string): void; reject(error: Error): void }>();

  constructor(registry: Registry) {
    // The figures prom-client answers the primary with in this worker; constructing an
    // AggregatorRegistry is what makes prom-client listen for the primary's requests here.
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry<PrometheusContentType>();
    process.on('message', (message: unknown) => {
      if (!isClusterMessage<MetricsReply>(message, METRICS_REPLY)) return;
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.text !== undefined) waiter.resolve(message.text);
      else waiter.reject(new Error(message.error ?? 'no metrics'));
    });
  }

  /** The whole cluster's metrics, in the Prometheus text format. */
  scrape(): Promise<string> {
    const id = randomUUID();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the primary did not gather the workers' metrics in ${SCRAPE_TIMEOUT_MS} ms`));
      }, SCRAPE_TIMEOUT_MS);
      const settle = { resolve: (text: string) => (clearTimeout(timer), resolve(text)), reject: (error: Error) => (clearTimeout(timer), reject(error)) };
      this.waiting.set(id, settle);
      const request: MetricsRequest = { type: METRICS_REQUEST, id };
      process.send?.(request, undefined, undefined, (error: Error | null) => {
        if (error) {
          this.waiting.delete(id);
          settle.reject(error);
        }
      });
    });
  }
}

/** The primary's side: answers a worker's scrape request with every worker's metrics, summed. */
export function answerMetricsRequests(worker: Worker, aggregator: AggregatorRegistry<PrometheusContentType>): void {
  worker.on('message', (message: unknown) => {
    if (!isClusterMessage<MetricsRequest>(message, METRICS_REQUEST)) return;
    const reply = (fields: Omit<MetricsReply, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: METRICS_REPLY, id: message.id, ...fields } satisfies MetricsReply, undefined, () => undefined);
    };
    aggregator.clusterMetrics().then(
      (text: string) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}
