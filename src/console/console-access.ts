import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http/error-catalogue';
import type { ConsoleContext } from './console-context';
import { SESSION_COOKIE, verifySession } from './session';

/** Who is looking at the console: a signed-in API key, or anyone on loopback in demo mode. */
export interface ConsoleAccess {
  /** The API key's name, when signed in. */
  signedInAs?: string;
  /** Let in without signing in: demo mode and a loopback client. */
  demoOpen?: boolean;
}

/**
 * Lets a request into the console pages: a valid session cookie whose key is
 * still configured with the `console` scope, else (demo mode only) a client
 * on loopback. Anyone else is sent to the sign-in page (GET) or refused.
 */
export function requireConsoleAccess(context: ConsoleContext): RequestHandler {
  return (req, res, next) => {
    const record = verifySession(cookieOf(req), context.keyring, context.apiKeys, context.now());
    if (record) {
      res.locals.consoleAccess = { signedInAs: record.name } satisfies ConsoleAccess;
      return next();
    }
    if (context.settings.demo && isLoopbackClient(req)) {
      res.locals.consoleAccess = { demoOpen: true } satisfies ConsoleAccess;
      return next();
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      return res.redirect(303, `/console/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    }
    next(new HttpError('api_key_missing', 'Sign in to the console first (/console/sign-in).'));
  };
}

function cookieOf(req: Request): string | undefined {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const value = cookies?.[SESSION_COOKIE];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The TCP peer is this machine, and no proxy speaks for someone else: a
 * reverse proxy on the same host would otherwise open the demo console to
 * the whole network, so any forwarding header disqualifies the request.
 */
function isLoopbackClient(req: IncomingMessage): boolean {
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined) return false;
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

/**
 * CSRF: the session cookie is SameSite=Strict, so another site's form never
 * carries it; on top of that every POST must come from a page of this
 * server, which browsers say in Origin. Same host as the request, or the
 * public URL's origin (behind a proxy that rewrites Host).
 */
export function requireSameOrigin(publicUrl: string): RequestHandler {
  const publicOrigin = new URL(publicUrl).origin;
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const origin = req.headers.origin;
    let sameOrigin = false;
    if (origin && origin !== 'null') {
      try {
        const url = new URL(origin);
        sameOrigin = url.origin === publicOrigin || url.host === req.headers.host;
      } catch {
        sameOrigin = false;
      }
    }
    if (!sameOrigin) return next(new HttpError('forbidden_origin', `Expected an Origin header of this server (${publicOrigin}); received ${origin ? JSON.stringify(origin.slice(0, 100)) : 'none'}.`));
    next();
  };
}
