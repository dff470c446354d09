import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Metrics } from '../metrics/metrics';
import { cacheControl } from './cache-policy';

export interface MetricsRouterOptions {
  /**
   * When set, the scrape must send "Authorization: Bearer <token>"
   * (OPENTIME_METRICS_TOKEN). Unset: open, for a scraper on a private network.
   */
  token?: string;
  /** The text to answer instead of this process's registry: the whole cluster's, in a cluster worker (scale-out/cluster-metrics.ts). */
  scrape?: () => Promise<string>;
}

/**
 * GET /metrics — Prometheus text format (prom-client). No personal data:
 * labels are block ids, kinds, surfaces, client classes, reasons and cache
 * or queue names.
 */
export function metricsRouter(metrics: Metrics, options: MetricsRouterOptions = {}): Router {
  const router = Router();
  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;

  router.get('/metrics', async (req: Request, res: Response) => {
    if (expected) {
      const given = Buffer.from(req.get('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('Expected "Authorization: Bearer <OPENTIME_METRICS_TOKEN>".\n');
        return;
      }
    }
    let body: string;
    try {
      body = options.scrape ? await options.scrape() : await metrics.registry.metrics();
    } catch (error) {
      req.log.warn({ err: error }, 'metrics not gathered');
      res.status(503).set('Cache-Control', cacheControl('operational')).type('text/plain').send('Metrics could not be gathered from every worker; try again.\n');
      return;
    }
    res.set('Cache-Control', cacheControl('operational')).type(metrics.registry.contentType).send(body);
  });
  return router;
}
