/**
 * AMP for Email CORS: the middleware in front of every amp-list / amp-form JSON endpoint.
 *
 * Protocol (amp.dev, "CORS in AMP for Email"; amphtml docs/spec/amp-cors-requests.md):
 *
 * - Version 2: the client sends `AMP-Email-Sender: <address>`; we answer
 *   `AMP-Email-Allow-Sender: <the same address>`. We never answer `*`: the spec
 *   allows it but discourages it, and it would let any sender's email read us.
 * - Version 1 (deprecated, still sent by older clients): `Origin` plus the query
 *   parameter `__amp_source_origin=<address>`; we answer
 *   `Access-Control-Allow-Origin: <Origin>`, `AMP-Access-Control-Allow-Source-Origin:
 *   <address>` (version 1 does not accept `*` there) and
 *   `Access-Control-Expose-Headers: AMP-Access-Control-Allow-Source-Origin`.
 * - Both present: version 2 wins (the spec's example 3: the client supports both,
 *   so `Origin` and `__amp_source_origin` "can be safely ignored"). We then send no
 *   version 1 header: no AMP-Access-Control-Allow-Source-Origin and no expose list
 *   naming it. See the next point for Access-Control-Allow-Origin.
 * - Neither: 403 `amp_cors_missing` (step 3 of the spec's "Implementing CORS").
 *
 * Plain browser CORS: some Android clients run the AMP email in a WebView that
 * calls us straight from the device, so ordinary browser CORS applies on top.
 * Whenever the request has an `Origin` we echo it in `Access-Control-Allow-Origin`
 * (version 1 needs exactly that anyway; with version 2 it is what lets the WebView
 * hand the response to the page at all), and with version 2 we expose
 * `AMP-Email-Allow-Sender` so script in that WebView can read the grant. We never
 * send `Access-Control-Allow-Credentials`: email clients strip cookies and
 * `credentials="include"` is not allowed in AMP for Email, so nothing here is
 * credentialed. Preflights (OPTIONS + Access-Control-Request-Method) are answered
 * here with 204 and no sender check, because a preflight carries no sender.
 *
 * What the sender check protects: the email client enforces the grant headers, so
 * the allowlist stops other senders' emails from embedding our endpoints. It is not
 * access control against a browser, which can send any header it likes; the
 * subscriber token in the URL is what guards the data.
 *
 * ORDER OF THE ALLOWLIST CHECKS
 *
 *  1. Middleware (every request, before the route): parse the protocol, refuse
 *     malformed senders (403 `sender_not_allowed`, no grant), and check the GLOBAL
 *     allowlist. Whatever that says, set the grant headers now, so that every later
 *     error (401 bad token, 404 unknown block, 500) carries them: without them the
 *     client cannot read the error and amp-list cannot show its fallback. A sender
 *     the global list does not allow is NOT rejected here, because the route has not
 *     yet read the token and so does not know the campaign, whose own list may allow
 *     that sender. Such a sender is recorded as "pending".
 *  2. Route, once it knows the campaign: `assertSenderAllowed(res, campaign.senders)`.
 *     Globally allowed: returns at once (one field read). Otherwise the campaign's
 *     list decides: allowed, the sender becomes "verified by campaign" and the
 *     grant stays; not allowed, the grant headers are removed and it throws
 *     403 `sender_not_allowed`, so a sender nobody allows can read nothing.
 *  3. Safety net, for pending senders only: if a response with a status below 400
 *     starts while the sender is still pending (a route that forgot step 2), the
 *     grant headers are removed just before the head is written. Forgetting the
 *     check thus fails closed (the client cannot read the data), never open.
 *
 * Consequence, accepted on purpose: before step 2 a sender allowed by nobody can
 * read error answers raised before the campaign is known (401 token_invalid and
 * the like). Those bodies are fixed catalogue text with no subscriber data; the
 * alternative, withholding the grant from every sender not on the global list,
 * would hide expired-token errors from senders allowed only by their campaign, and
 * their amp-list would fail instead of showing its fallback.
 *
 * Caching and redirects: every response here is per subscriber, so it carries
 * `Cache-Control: private, no-store` and `Vary: Origin, AMP-Email-Sender`. A 3xx
 * fails the XHR in Gmail, so this middleware never redirects, and it blanks the
 * request's If-None-Match / If-Modified-Since so that Express's res.send cannot
 * turn a 200 into a 304.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import vary from 'vary';
import { HttpError } from './error-catalogue';
import type { Middleware } from './middleware';
import { queryParams } from './query';
import { SenderAllowlist, isWellFormedSender } from './sender-allowlist';
import { cacheControl } from './cache-policy';

export interface AmpCorsOptions {
  /** Senders allowed for every campaign (OPENTIME_ALLOWED_SENDERS). May be empty: campaigns then decide alone. */
  globalAllowlist: SenderAllowlist;
}

/** The AMP CORS request as parsed by the middleware; read it with {@link ampSenderOf}. */
export interface AmpSender {
  /** 2: AMP-Email-Sender header; 1: Origin + __amp_source_origin. */
  readonly version: 1 | 2;
  /** The sender address exactly as the client sent it (echoed byte for byte in the grant). */
  readonly sender: string;
}

const H_ALLOW_ORIGIN = 'Access-Control-Allow-Origin';
const H_EXPOSE = 'Access-Control-Expose-Headers';
const H_ALLOW_SENDER = 'AMP-Email-Allow-Sender';
const H_ALLOW_SOURCE_ORIGIN = 'AMP-Access-Control-Allow-Source-Origin';

const VARY = 'Origin, AMP-Email-Sender';
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
const ALLOW_METHODS = 'GET, POST, OPTIONS';
const DEFAULT_ALLOW_HEADERS = 'AMP-Email-Sender, Content-Type';
/** Seconds a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE = '600';
const SOURCE_ORIGIN_PARAM = '__amp_source_origin';

/** Where the sender stands in the ORDER OF THE ALLOWLIST CHECKS above. */
const PENDING = 0; // not on the global list; waiting for the campaign's list
const GLOBAL = 1; // on the global list
const CAMPAIGN = 2; // on the campaign's list
const DENIED = 3; // on neither

/** The object remembered per response; the grant field stays private to this module. */
class SenderState implements AmpSender {
  constructor(
    readonly version: 1 | 2,
    readonly sender: string,
    public grant: number,
  ) {}

  /** Logs and JSON show only the public shape. */
  toJSON(): AmpSender {
    return { version: this.version, sender: this.sender };
  }
}

/**
 * Each response's sender state, set by ampCors(). Kept beside the response
 * rather than on it, because the open endpoints run on plain Node responses
 * (no Express res.locals).
 */
const senders = new WeakMap<ServerResponse, SenderState>();

/** The AMP CORS request of this response, or undefined when ampCors() did not accept it. */
export function ampSenderOf(res: ServerResponse): AmpSender | undefined {
  return senders.get(res);
}

/** Parsed campaign lists, keyed by the (treated as immutable) array from the campaign config. */
const campaignLists = new WeakMap<readonly string[], SenderAllowlist>();

/**
 * Step 2 of the ORDER OF THE ALLOWLIST CHECKS: call from the route once the
 * campaign is known, before answering. Returns when the global list or the
 * campaign's list allows the sender; otherwise removes the grant headers and
 * throws 403 `sender_not_allowed`.
 *
 * @param campaignSenders the campaign's own allowlist; prefer a SenderAllowlist
 *   parsed when the config loads. A string array is parsed once and cached by
 *   identity; an invalid one fails closed with a 500 naming the bad entry.
 * @throws HttpError sender_not_allowed | internal
 */
export function assertSenderAllowed(res: ServerResponse, campaignSenders: readonly string[] | SenderAllowlist): void {
  const state = senders.get(res);
  if (state === undefined) {
    // A wiring mistake, not a client error: the route is not behind ampCors().
    throw new HttpError('internal', 'assertSenderAllowed was called on a route that ampCors() does not guard.');
  }
  if (state.grant === GLOBAL) return;

  let list: SenderAllowlist;
  if (campaignSenders instanceof SenderAllowlist) {
    list = campaignSenders;
  } else {
    const cached = campaignLists.get(campaignSenders);
    if (cached !== undefined) {
      list = cached;
    } else {
      try {
        list = SenderAllowlist.parse(campaignSenders, 'campaign sender allowlist');
      } catch (error) {
        deny(res, state);
        throw new HttpError('internal', error instanceof Error ? error.message : 'Invalid campaign sender allowlist.', {
          cause: error,
        });
      }
      campaignLists.set(campaignSenders, list);
    }
  }

  if (list.allows(state.sender)) {
    state.grant = CAMPAIGN;
    return;
  }
  deny(res, state);
  throw new HttpError('sender_not_allowed');
}

function deny(res: ServerResponse, state: SenderState): void {
  state.grant = DENIED;
  // Once the head is out nothing can be taken back; the safety net covers the rest.
  if (!res.headersSent) removeGrant(res);
}

function removeGrant(res: ServerResponse): void {
  res.removeHeader(H_ALLOW_SENDER);
  res.removeHeader(H_ALLOW_SOURCE_ORIGIN);
  res.removeHeader(H_EXPOSE);
  // Without it even a plain browser cannot read the denial's body.
  res.removeHeader(H_ALLOW_ORIGIN);
}

/** Add to Vary without dropping what earlier middleware (compression, say) put there. */
function addVary(res: ServerResponse, value: string): void {
  if (res.getHeader('Vary') === undefined) {
    res.setHeader('Vary', value);
  } else {
    vary(res, value);
  }
}

/**
 * The single `__amp_source_origin` value, undefined when absent, null when given
 * more than once (ambiguous, so refused). Parsed from the raw URL so that the
 * app's `query parser` setting cannot change the protocol; the substring test
 * keeps version 2 and plain requests from allocating anything here.
 */
function sourceOriginOf(url: string): string | undefined | null {
  const q = url.indexOf('?');
  if (q === -1 || !url.includes(SOURCE_ORIGIN_PARAM, q)) return undefined;
  const values = queryParams(url).getAll(SOURCE_ORIGIN_PARAM);
  if (values.length > 1) return null;
  const value = values[0];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Step 3 of the ORDER OF THE ALLOWLIST CHECKS. Wraps this one response's
 * writeHead (Express's res.send and res.end reach it through Node's implicit
 * header write), like the on-headers package does. Installed only for pending
 * senders, so the common case, a globally allowed sender, pays nothing.
 */
function guardUnverified(res: ServerResponse, state: SenderState): void {
  const writeHead = res.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  res.writeHead = function writeHeadOnlyIfVerified(this: ServerResponse, ...args: unknown[]): ServerResponse {
    const status = typeof args[0] === 'number' ? args[0] : this.statusCode;
    if (state.grant === DENIED || (state.grant === PENDING && status < 400)) removeGrant(this);
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin) res.setHeader(H_ALLOW_ORIGIN, origin);
  res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
  // Echo what the browser asks for (it always includes AMP-Email-Sender for version 2);
  // a browser compares the list against its request, so echoing is exactly sufficient.
  const requested = req.headers['access-control-request-headers'];
  res.setHeader('Access-Control-Allow-Headers', requested ? requested : DEFAULT_ALLOW_HEADERS);
  res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
  addVary(res, PREFLIGHT_VARY);
  res.statusCode = 204;
  res.end();
}

/** The middleware; mount it in front of every AMP JSON route. See the module comment for the protocol. */
export function ampCors(options: AmpCorsOptions): Middleware {
  const globalAllowlist = options.globalAllowlist;

  return function ampCorsMiddleware(req, res, next): void {
    const headers = req.headers;
    if (req.method === 'OPTIONS' && headers['access-control-request-method'] !== undefined) {
      answerPreflight(req, res);
      return;
    }

    res.setHeader('Cache-Control', cacheControl('private'));
    addVary(res, VARY);
    // No 304s (a 3xx fails the XHR in Gmail): Express's req.fresh reads only these two.
    if (headers['if-none-match'] !== undefined) headers['if-none-match'] = undefined;
    if (headers['if-modified-since'] !== undefined) headers['if-modified-since'] = undefined;

    const origin = headers.origin;
    // Set before any rejection, so a browser or WebView caller can read why it was refused.
    if (origin) res.setHeader(H_ALLOW_ORIGIN, origin);

    let version: 1 | 2;
    let sender: string;
    const emailSender = headers['amp-email-sender'];
    if (typeof emailSender === 'string' && emailSender !== '') {
      version = 2;
      sender = emailSender;
    } else if (origin) {
      const sourceOrigin = sourceOriginOf(req.url ?? '');
      if (typeof sourceOrigin !== 'string') {
        next(
          new HttpError(
            'amp_cors_missing',
            sourceOrigin === null
              ? 'The __amp_source_origin query parameter was given more than once.'
              : 'An Origin header came without the __amp_source_origin query parameter (CORS version 1 needs both) and without an AMP-Email-Sender header (version 2).',
          ),
        );
        return;
      }
      version = 1;
      sender = sourceOrigin;
    } else {
      next(new HttpError('amp_cors_missing'));
      return;
    }

    // No list can allow a malformed sender, and echoing one could put bytes in a
    // header that Node refuses (the version 1 value comes URL-decoded).
    if (!isWellFormedSender(sender)) {
      removeGrant(res);
      next(
        new HttpError(
          'sender_not_allowed',
          version === 2
            ? 'The AMP-Email-Sender header is not an email address.'
            : 'The __amp_source_origin query parameter is not an email address.',
        ),
      );
      return;
    }

    const allowedGlobally = globalAllowlist.allows(sender);
    const state = new SenderState(version, sender, allowedGlobally ? GLOBAL : PENDING);
    senders.set(res, state);

    if (version === 2) {
      res.setHeader(H_ALLOW_SENDER, sender);
      if (origin) res.setHeader(H_EXPOSE, H_ALLOW_SENDER);
    } else {
      res.setHeader(H_ALLOW_SOURCE_ORIGIN, sender);
      res.setHeader(H_EXPOSE, H_ALLOW_SOURCE_ORIGIN);
    }

    if (!allowedGlobally) guardUnverified(res, state);
    next();
  };
}
