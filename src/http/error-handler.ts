import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { errorBody, HttpError } from './error-catalogue';
import { sendJson } from './send-json';

/** Unknown paths answer from the catalogue too, never with Express's HTML page. */
export const notFound: RequestHandler = (_req, _res, next) => next(new HttpError('route_not_found'));

/**
 * The one place an error becomes a response, for the Express routes and the
 * open endpoints alike. Headers set earlier (the AMP CORS grant) stay, so
 * amp-list can read the error and show its fallback. Unknown errors are
 * logged with their stack and answered as `internal`.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  let httpError: HttpError;
  if (error instanceof HttpError) {
    httpError = error;
  } else if (isBodyParserError(error)) {
    httpError = new HttpError('bad_request', (error as Error).message);
  } else {
    httpError = new HttpError('internal');
    req.log?.error({ err: error }, 'unhandled error');
  }
  if (res.headersSent) return;
  sendJson(res, httpError.status, errorBody(httpError));
}

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => sendError(req, res, error);

function isBodyParserError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && 'status' in error && (error as { status: number }).status < 500;
}
