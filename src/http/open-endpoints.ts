import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../log';
import type { Metrics } from '../metrics/metrics';
import { requestDuration } from '../metrics/request-duration';
import { openWaitBudget } from '../sources/open-wait-budget';
import { ampCors } from './amp-cors';
import type { AmpBlockEndpoint } from './amp-block-endpoint';
import { HttpError } from './error-catalogue';
import { sendError } from './error-handler';
import { sendTransparentPixel, type ImgBlockEndpoint } from './img-block-endpoint';
import type { Middleware } from './middleware';
import { pathOf } from './query';
import { requestLog } from './request-log';
import type { SenderAllowlist } from './sender-allowlist';

export interface OpenEndpointsDeps {
  logger: Logger;
  metrics: Metrics;
  globalAllowlist: SenderAllowlist;
  /** Each open gets one pull-source wait budget (see open-wait-budget.ts). */
  perOpenPullBudget?: boolean;
  amp: AmpBlockEndpoint;
  img: ImgBlockEndpoint;
}

const AMP_PREFIX = '/amp/v1';
const IMG_PREFIX = '/img/v1/';
const AMP_FORMS_PREFIX = '/amp/v1/forms/';
// Case-insensitive, as Express routes by default: a link rewriter that changes case still reaches us.
const AMP_BLOCK = /^\/amp\/v1\/blocks\/([^/]+)\/?$/i;
const IMG_BLOCK = /^\/img\/v1\/blocks\/([^/]+)\/?$/i;
/** What a block's JSON URL answers (CORS preflights aside). */
const AMP_BLOCK_METHODS = 'GET, HEAD, OPTIONS';

/**
 * The endpoints an email open hits — GET /amp/v1/… (amp-list JSON) and
 * GET /img/v1/… (block images) — served on plain Node requests in front of
 * the Express app, which gets every other request.
 *
 * Why not Express: its per-request set-up (prototype swaps on req and res,
 * the layered router) cost more CPU than an open's own work; measured with
 * `npm run bench`, an Express-routed open ran at 0.4–0.5x a bare Express
 * hello-JSON, this path at the figures in the README. The middleware is the
 * same code the Express routes use (request log, latency metric, pull wait
 * budget, AMP CORS), errors go through the same sendError, so a request
 * gets the same answer on either side.
 */
export function openEndpoints(deps: OpenEndpointsDeps, everythingElse: RequestListener): RequestListener {
  const logRequest = requestLog(deps.logger);
  const timeRequest = requestDuration(deps.metrics);
  const budget: Middleware = deps.perOpenPullBudget ? openWaitBudget() : (_req, _res, next) => next();
  const cors = ampCors({ globalAllowlist: deps.globalAllowlist });

  const serveAmp = (req: IncomingMessage, res: ServerResponse): void => {
    // OPTIONS without Access-Control-Request-Method is not a CORS preflight but a question about the methods (RFC 9110 §9.3.7).
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] === undefined && AMP_BLOCK.test(pathOf(req.url ?? ''))) {
      res.writeHead(204, { Allow: AMP_BLOCK_METHODS }).end();
      return;
    }
    cors(req, res, (corsError) => {
      if (corsError) return sendError(req, res, corsError);
      const blockSegment = AMP_BLOCK.exec(pathOf(req.url ?? ''))?.[1];
      if (blockSegment !== undefined && !isRead(req)) {
        res.setHeader('Allow', AMP_BLOCK_METHODS);
        return sendError(req, res, new HttpError('method_not_allowed'));
      }
      const blockId = decodedSegment(blockSegment);
      if (blockId === undefined) return sendError(req, res, new HttpError('route_not_found'));
      budget(req, res, () => void deps.amp(req, res, blockId).catch((error: unknown) => sendError(req, res, error)));
    });
  };

  const serveImage = (req: IncomingMessage, res: ServerResponse): void => {
    const file = decodedSegment(IMG_BLOCK.exec(pathOf(req.url ?? ''))?.[1]) ?? null;
    // The endpoint answers every failure itself; the catch is insurance, because an unhandled rejection ends a Node 20 process.
    budget(req, res, () => void deps.img(req, res, file).catch((error: unknown) => imageFailed(req, res, error)));
  };

  return (req, res) => {
    const url = req.url ?? '/';
    // Forms (POST bodies, multer) are served by Express (http/form-router.ts), behind the same AMP CORS.
    const serve = isAmp(url) && !hasPrefix(url, AMP_FORMS_PREFIX) ? serveAmp : hasPrefix(url, IMG_PREFIX) && isRead(req) ? serveImage : undefined;
    if (!serve) return everythingElse(req, res);
    try {
      logRequest(req, res, () => timeRequest(req, res, () => serve(req, res)));
    } catch (error) {
      // Express's router catches what a handler throws; here nothing would, and
      // an exception escaping a request listener ends the process.
      if (serve === serveAmp) return sendError(req, res, error);
      imageFailed(req, res, error);
    }
  };

  function imageFailed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    (req.log ?? deps.logger).error({ err: error }, 'image request failed outside the renderer; answering a transparent pixel');
    sendTransparentPixel(req, res, pathOf(req.url ?? '').endsWith('.gif') ? 'gif' : 'png');
  }
}

/** /amp/v1, /amp/v1/…, /amp/v1?… — what Express's `use('/amp/v1')` covered. */
function isAmp(url: string): boolean {
  if (!hasPrefix(url, AMP_PREFIX)) return false;
  const next = url.charCodeAt(AMP_PREFIX.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/** `url` starts with the (lower-case) `prefix`, in any letter case. */
function hasPrefix(url: string, prefix: string): boolean {
  return url.startsWith(prefix) || url.slice(0, prefix.length).toLowerCase() === prefix;
}

/** GET, and HEAD, which Node answers without the body. */
function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/** A percent-decoded path segment; undefined when absent or badly encoded. */
function decodedSegment(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
