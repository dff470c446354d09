import cookieParser from 'cookie-parser';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { errorCatalogue, HttpError } from '../http/error-catalogue';
import { serveConsoleAsset } from './assets';
import { requireConsoleAccess, requireSameOrigin } from './console-access';
import type { ConsoleContext } from './console-context';
import { sendPage } from './page-render';
import { consolePages } from './pages';
import { signInRoutes } from './sign-in';

/**
 * The web console at /console (README "Console"): server-rendered pages, one
 * stylesheet, one small script. Every page reads through the same service
 * functions as its API endpoint; the console holds no logic of its own.
 */
export function consoleRouter(context: ConsoleContext): Router {
  const outer = Router();
  const console = Router();
  console.get('/assets/:file', serveConsoleAsset);
  console.use(securityHeaders);
  console.use(cookieParser());
  console.use(express.urlencoded({ extended: false, limit: '32kb' }));
  console.use(requireSameOrigin(context.settings.publicUrl));
  signInRoutes(console, context);
  console.use(requireConsoleAccess(context));
  console.get('/', (_req, res) => res.redirect(303, '/console/campaigns'));
  for (const page of consolePages) page.routes(console, context);
  console.use((_req, _res, next) => next(new HttpError('route_not_found', 'No such console page.')));
  console.use(consoleErrorPage(context));
  outer.use('/console', console);
  return outer;
}

/** Console pages only load what they are served: no inline script, no framing by other sites. */
function securityHeaders(_req: Request, res: Response, next: () => void): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data: blob: http: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
}

/** A console error is a page with the catalogue's message and its detail, not JSON. */
function consoleErrorPage(context: ConsoleContext): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const httpError = error instanceof HttpError ? error : undefined;
    if (!httpError) context.logger.error({ err: error }, 'console page failed');
    if (res.headersSent) return;
    const code = httpError?.code ?? 'internal';
    sendPage(req, res, {
      title: httpError?.status === 404 ? 'Not found' : 'Something went wrong',
      view: 'views/error',
      data: { code, message: errorCatalogue[code].message, detail: httpError?.detail },
      status: httpError?.status ?? 500,
    });
  };
}
