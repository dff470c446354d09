import type { RequestListener } from 'node:http';
import type { Logger } from '../log';
import type { Storage } from '../storage/storage';
import { cacheControl } from './cache-policy';

const OK = JSON.stringify({ status: 'ok' });
const UNAVAILABLE = JSON.stringify({ status: 'unavailable' });

/**
 * GET /healthz: `{"status":"ok"}` when the database answers, 503
 * `{"status":"unavailable"}` when it does not. Served ahead of every other
 * route (app.ts), without the request log or Express, so it stays cheap and
 * prompt while the server is busy.
 */
export function healthCheck(storage: Pick<Storage, 'ping'>, logger: Logger): RequestListener {
  return (req, res) => {
    const answer = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': cacheControl('operational'), 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    storage.ping().then(
      () => answer(200, OK),
      (error: unknown) => {
        logger.error({ err: error }, 'health check: the database did not answer');
        answer(503, UNAVAILABLE);
      },
    );
  };
}
