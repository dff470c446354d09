import type { Middleware } from '../http/middleware';
import type { Metrics } from './metrics';

/** The surface a path belongs to: a label with a handful of values, never the path itself. */
export function surfaceOf(path: string): string {
  // Any letter case, as the routes match.
  const start = path.slice(0, 5).toLowerCase();
  if (start.startsWith('/amp/')) return 'json';
  if (start.startsWith('/img/')) return 'image';
  if (start.startsWith('/c/')) return 'click';
  if (start.startsWith('/api/')) return 'api';
  return 'other';
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Observes each request's latency, from arrival to the last byte handed to
 * the socket ('finish'), in opentime_http_request_duration_seconds. The
 * scrape itself is left out so it does not skew the figures.
 */
export function requestDuration(metrics: Metrics): Middleware {
  return (req, res, next) => {
    const url = req.url ?? '';
    if (url === '/metrics' || url.startsWith('/metrics?')) return next();
    const surface = surfaceOf(url);
    const started = process.hrtime.bigint();
    // `on`, not `once`: 'finish' fires once, and once() wraps the listener on every request.
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const statusClass = STATUS_CLASSES[Math.floor(res.statusCode / 100) - 1] ?? '5xx';
      metrics.observeRequest(surface, statusClass, seconds);
    });
    next();
  };
}
