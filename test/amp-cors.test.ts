import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { ampCors, ampSenderOf, assertSenderAllowed } from '../src/http/amp-cors';
import { HttpError, errorBody } from '../src/http/error-catalogue';
import { SenderAllowlist, SenderAllowlistError } from '../src/http/sender-allowlist';

const GMAIL = 'https://mail.google.com';
const GLOBAL = ['news@shop.example', 'brand.example', '*.mail.example'];
const CAMPAIGN = ['campaign.example'];

const H = {
  allowSender: 'amp-email-allow-sender',
  sourceOrigin: 'amp-access-control-allow-source-origin',
  expose: 'access-control-expose-headers',
  allowOrigin: 'access-control-allow-origin',
} as const;
const GRANT_HEADERS = Object.values(H);

function buildApp(global: readonly string[] = GLOBAL) {
  const app = express();
  app.use('/amp', ampCors({ globalAllowlist: SenderAllowlist.parse(global) }));
  app.get('/amp/items', (_req, res) => {
    assertSenderAllowed(res, CAMPAIGN);
    res.json({ items: [] });
  });
  app.get('/amp/whoami', (_req, res) => {
    assertSenderAllowed(res, SenderAllowlist.parse(CAMPAIGN));
    res.json(ampSenderOf(res));
  });
  // Fails before the campaign is known, like an expired token.
  app.get('/amp/unauthorized', () => {
    throw new HttpError('token_invalid');
  });
  // A route that forgets assertSenderAllowed.
  app.get('/amp/forgot-check', (_req, res) => {
    res.json({ items: [{ secret: true }] });
  });
  app.get('/amp/broken-campaign', (_req, res) => {
    assertSenderAllowed(res, ['http://campaign.example']);
    res.json({ items: [] });
  });
  app.use((_req: Request, _res: Response, next: NextFunction) => next(new HttpError('route_not_found')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const error = err instanceof HttpError ? err : new HttpError('internal');
    res.status(error.status).json(errorBody(error));
  });
  return app;
}

const app = buildApp();

function v2(path: string, sender: string) {
  return request(app).get(path).set('AMP-Email-Sender', sender);
}
function v1(path: string, sender: string, origin = GMAIL) {
  return request(app).get(`${path}?__amp_source_origin=${encodeURIComponent(sender)}`).set('Origin', origin);
}
function expectNoGrant(res: request.Response) {
  for (const h of GRANT_HEADERS) expect(res.headers[h]).toBeUndefined();
}

describe('ampCors: CORS version 2 (AMP-Email-Sender)', () => {
  it('echoes the exact sender and sends no version 1 header', async () => {
    const res = await v2('/amp/items', 'news@shop.example');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
    expect(res.headers[H.allowSender]).toBe('news@shop.example');
    expect(res.headers[H.sourceOrigin]).toBeUndefined();
    expect(res.headers[H.expose]).toBeUndefined();
    expect(res.headers[H.allowOrigin]).toBeUndefined();
  });

  it('echoes the value byte for byte even when it matched case-insensitively', async () => {
    const res = await v2('/amp/items', 'NEWS@Shop.Example');
    expect(res.status).toBe(200);
    expect(res.headers[H.allowSender]).toBe('NEWS@Shop.Example');
  });

  it('puts the parsed protocol on res.locals for the route', async () => {
    const res = await v2('/amp/whoami', 'promo@campaign.example');
    expect(res.body).toEqual({ version: 2, sender: 'promo@campaign.example' });
  });

  it('adds browser CORS for a WebView that also sends Origin', async () => {
    const res = await v2('/amp/items', 'news@shop.example').set('Origin', 'https://app.example');
    expect(res.status).toBe(200);
    expect(res.headers[H.allowOrigin]).toBe('https://app.example');
    expect(res.headers[H.expose]).toBe('AMP-Email-Allow-Sender');
    expect(res.headers[H.sourceOrigin]).toBeUndefined();
  });
});

describe('ampCors: CORS version 1 (Origin + __amp_source_origin)', () => {
  it('sends all three headers with the exact values, never *', async () => {
    const res = await v1('/amp/items', 'news@shop.example');
    expect(res.status).toBe(200);
    expect(res.headers[H.allowOrigin]).toBe(GMAIL);
    expect(res.headers[H.sourceOrigin]).toBe('news@shop.example');
    expect(res.headers[H.expose]).toBe('AMP-Access-Control-Allow-Source-Origin');
    expect(res.headers[H.allowSender]).toBeUndefined();
    for (const h of GRANT_HEADERS) expect(res.headers[h]).not.toBe('*');
  });

  it('reports version 1 to the route', async () => {
    const res = await v1('/amp/whoami', 'promo@campaign.example');
    expect(res.body).toMatchObject({ version: 1, sender: 'promo@campaign.example' });
  });

  it('refuses a repeated __amp_source_origin as ambiguous', async () => {
    const res = await request(app)
      .get('/amp/items?__amp_source_origin=news%40shop.example&__amp_source_origin=x%40evil.example')
      .set('Origin', GMAIL);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('amp_cors_missing');
  });
});

describe('ampCors: protocol selection', () => {
  it('lets version 2 win when both are present', async () => {
    const res = await request(app)
      .get('/amp/items?__amp_source_origin=other%40brand.example')
      .set('Origin', GMAIL)
      .set('AMP-Email-Sender', 'news@shop.example');
    expect(res.status).toBe(200);
    expect(res.headers[H.allowSender]).toBe('news@shop.example');
    expect(res.headers[H.sourceOrigin]).toBeUndefined();
    expect(res.headers[H.expose]).not.toContain('AMP-Access-Control-Allow-Source-Origin');
  });

  it('does not fall back to an allowed version 1 sender when the version 2 sender is refused', async () => {
    const res = await request(app)
      .get('/amp/items?__amp_source_origin=news%40shop.example')
      .set('Origin', GMAIL)
      .set('AMP-Email-Sender', 'x@evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('sender_not_allowed');
    expectNoGrant(res);
  });

  it('rejects a request with neither: 403 amp_cors_missing', async () => {
    const res = await request(app).get('/amp/items');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('amp_cors_missing');
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('rejects Origin without __amp_source_origin, readable by the browser', async () => {
    const res = await request(app).get('/amp/items').set('Origin', GMAIL);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('amp_cors_missing');
    expect(res.body.error.detail).toMatch(/__amp_source_origin/);
    expect(res.headers[H.allowOrigin]).toBe(GMAIL);
  });

  it('treats an empty AMP-Email-Sender as absent', async () => {
    const res = await request(app).get('/amp/items').set('AMP-Email-Sender', '');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('amp_cors_missing');
  });
});

describe('ampCors + assertSenderAllowed: allowlists', () => {
  it.each([
    ['exact address', 'news@shop.example'],
    ['exact address, other case', 'News@SHOP.example'],
    ['domain', 'anyone@brand.example'],
    ['domain, other case', 'Anyone@Brand.EXAMPLE'],
    ['wildcard: the domain itself', 'x@mail.example'],
    ['wildcard: subdomain', 'x@eu.mail.example'],
    ['wildcard: deeper subdomain', 'x@a.b.mail.example'],
    ['campaign list only', 'promo@campaign.example'],
  ])('allows %s (%s)', async (_name, sender) => {
    const res = await v2('/amp/items', sender);
    expect(res.status).toBe(200);
    expect(res.headers[H.allowSender]).toBe(sender);
  });

  it.each([
    ['another address at an exact-address domain', 'other@shop.example'],
    ['a subdomain of a plain domain entry', 'x@sub.brand.example'],
    ['a look-alike of a wildcard domain', 'x@notmail.example'],
    ['a parent of a wildcard domain', 'x@example'],
    ['a subdomain of a campaign domain', 'x@sub.campaign.example'],
    ['a stranger', 'x@evil.example'],
    ['a malformed sender', 'not an address'],
    ['a wildcard sender', '*'],
  ])('refuses %s with 403 and no grant headers (version 2)', async (_name, sender) => {
    const res = await v2('/amp/items', sender);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('sender_not_allowed');
    expectNoGrant(res);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('refuses a stranger with 403 and no grant headers (version 1)', async () => {
    const res = await v1('/amp/items', 'x@evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('sender_not_allowed');
    expectNoGrant(res);
  });

  it('refuses a version 1 sender with control characters without a 500', async () => {
    const res = await v1('/amp/items', 'news@shop.example\r\nX-Injected: 1');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('sender_not_allowed');
    expect(res.headers['x-injected']).toBeUndefined();
    expectNoGrant(res);
  });

  it('lets the campaign decide alone when the global list is empty', async () => {
    const campaignOnly = buildApp([]);
    const ok = await request(campaignOnly).get('/amp/items').set('AMP-Email-Sender', 'promo@campaign.example');
    expect(ok.status).toBe(200);
    expect(ok.headers[H.allowSender]).toBe('promo@campaign.example');
    const refused = await request(campaignOnly).get('/amp/items').set('AMP-Email-Sender', 'news@shop.example');
    expect(refused.status).toBe(403);
    expectNoGrant(refused);
  });

  it('fails closed with a 500 and no grant when a campaign list is invalid', async () => {
    const res = await v2('/amp/broken-campaign', 'promo@campaign.example');
    expect(res.status).toBe(500);
    expectNoGrant(res);
    // A globally allowed sender never needs the campaign list.
    const global = await v2('/amp/broken-campaign', 'news@shop.example');
    expect(global.status).toBe(200);
  });

  it('strips the grant from a 2xx when the route forgot assertSenderAllowed and the sender is not global', async () => {
    const res = await v2('/amp/forgot-check', 'promo@campaign.example');
    expect(res.status).toBe(200);
    expectNoGrant(res);
    const global = await v2('/amp/forgot-check', 'news@shop.example');
    expect(global.headers[H.allowSender]).toBe('news@shop.example');
  });

  it('throws a wiring error when the middleware is not mounted', () => {
    const res = { locals: {} } as unknown as Response;
    expect(() => assertSenderAllowed(res, CAMPAIGN)).toThrow(HttpError);
    expect(ampSenderOf(res)).toBeUndefined();
  });
});

describe('ampCors: errors after the middleware carry the grant', () => {
  it('keeps the grant on a 401 thrown by the route (version 2)', async () => {
    const res = await v2('/amp/unauthorized', 'news@shop.example');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_invalid');
    expect(res.headers[H.allowSender]).toBe('news@shop.example');
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('keeps the grant on a 401 thrown by the route (version 1)', async () => {
    const res = await v1('/amp/unauthorized', 'news@shop.example');
    expect(res.status).toBe(401);
    expect(res.headers[H.allowOrigin]).toBe(GMAIL);
    expect(res.headers[H.sourceOrigin]).toBe('news@shop.example');
    expect(res.headers[H.expose]).toBe('AMP-Access-Control-Allow-Source-Origin');
  });

  it('keeps the grant on errors raised before the campaign is known, for any well-formed sender', async () => {
    // The documented trade-off: the campaign might allow this sender, so its fallback must show.
    const res = await v2('/amp/unauthorized', 'promo@campaign.example');
    expect(res.status).toBe(401);
    expect(res.headers[H.allowSender]).toBe('promo@campaign.example');
  });

  it('keeps the grant on a 404 for an unknown route', async () => {
    const res = await v2('/amp/nowhere', 'news@shop.example');
    expect(res.status).toBe(404);
    expect(res.headers[H.allowSender]).toBe('news@shop.example');
  });
});

describe('ampCors: preflight', () => {
  it('answers 204 with the CORS headers and no sender check', async () => {
    const res = await request(app)
      .options('/amp/items')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'amp-email-sender, content-type');
    expect(res.status).toBe(204);
    expect(res.headers[H.allowOrigin]).toBe('https://app.example');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('amp-email-sender, content-type');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers[H.allowSender]).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('offers AMP-Email-Sender and Content-Type when no headers are requested', async () => {
    const res = await request(app)
      .options('/amp/items')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toBe('AMP-Email-Sender, Content-Type');
  });
});

describe('ampCors: caching and redirects', () => {
  it('marks responses private, no-store and varies on Origin and AMP-Email-Sender', async () => {
    const res = await v2('/amp/items', 'news@shop.example');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['vary']).toBe('Origin, AMP-Email-Sender');
  });

  it('keeps a Vary set by earlier middleware', async () => {
    const withVary = express();
    withVary.use((_req, res, next) => {
      res.setHeader('Vary', 'Accept-Encoding');
      next();
    });
    withVary.use(ampCors({ globalAllowlist: SenderAllowlist.parse(GLOBAL) }));
    withVary.get('/', (_req, res) => res.json({ items: [] }));
    const res = await request(withVary).get('/').set('AMP-Email-Sender', 'news@shop.example');
    expect(res.headers['vary']).toBe('Accept-Encoding, Origin, AMP-Email-Sender');
  });

  it('never answers 3xx, even to a conditional request that matches the ETag', async () => {
    const first = await v2('/amp/items', 'news@shop.example');
    const etag = first.headers['etag'] as string | undefined;
    const requests = [
      v2('/amp/items', 'news@shop.example').set('If-None-Match', etag ?? '*'),
      v2('/amp/items', 'news@shop.example').set('If-Modified-Since', new Date().toUTCString()),
      v2('/amp/items/', 'news@shop.example'),
      v2('/amp', 'news@shop.example'),
      v1('/amp/items', 'news@shop.example'),
      v2('/amp/items', 'x@evil.example'),
      request(app).get('/amp/items'),
      request(app).options('/amp/items').set('Origin', GMAIL).set('Access-Control-Request-Method', 'GET'),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.status < 300 || res.status >= 400).toBe(true);
    }
    const conditional = await v2('/amp/items', 'news@shop.example').set('If-None-Match', etag ?? '*');
    expect(conditional.status).toBe(200);
  });
});

describe('SenderAllowlist', () => {
  it('matches addresses, domains, @domains and wildcards case-insensitively', () => {
    const list = SenderAllowlist.parse(['News@Shop.Example', '@Brand.example', ' other.example ', '*.MAIL.example']);
    expect(list.allows('news@shop.example')).toBe(true);
    expect(list.allows('NEWS@SHOP.EXAMPLE')).toBe(true);
    expect(list.allows('promo@shop.example')).toBe(false);
    expect(list.allows('a@brand.example')).toBe(true);
    expect(list.allows('a@other.example')).toBe(true);
    expect(list.allows('a@x.other.example')).toBe(false);
    expect(list.allows('a@mail.example')).toBe(true);
    expect(list.allows('a@x.y.mail.example')).toBe(true);
    expect(list.allows('a@gmail.example')).toBe(false);
    expect(list.allows('brand.example')).toBe(false);
    expect(list.allows('')).toBe(false);
    expect(list.entries()).toEqual(['news@shop.example', 'brand.example', 'other.example', '*.mail.example']);
  });

  it('is empty by default and admits nobody', () => {
    expect(SenderAllowlist.parse([]).isEmpty).toBe(true);
    expect(SenderAllowlist.EMPTY.allows('news@shop.example')).toBe(false);
    expect(SenderAllowlist.parse(['shop.example']).isEmpty).toBe(false);
  });

  it('combines a global list with a campaign list', () => {
    const global = SenderAllowlist.parse(['news@shop.example']);
    const campaign = SenderAllowlist.parse(['*.campaign.example']);
    const both = SenderAllowlist.union(global, campaign);
    expect(both.allows('news@shop.example')).toBe(true);
    expect(both.allows('x@eu.campaign.example')).toBe(true);
    expect(both.allows('x@evil.example')).toBe(false);
    expect(SenderAllowlist.union(global, SenderAllowlist.EMPTY)).toBe(global);
  });

  function parseError(list: unknown[]): SenderAllowlistError {
    try {
      SenderAllowlist.parse(list, 'OPENTIME_ALLOWED_SENDERS');
    } catch (error) {
      expect(error).toBeInstanceOf(SenderAllowlistError);
      return error as SenderAllowlistError;
    }
    throw new Error('parse accepted an invalid list');
  }

  const EXPECTED =
    'expected an email address (news@shop.example) or a domain (shop.example, @shop.example, or *.shop.example to include subdomains)';

  it.each([
    ['not an address', 'received "not an address", which contains whitespace'],
    ['http://x', 'received "http://x", which is a URL; write only the domain you send from.'],
    ['https://shop.example/path', 'which is a URL; write only the domain you send from, e.g. "shop.example"'],
    ['', 'received "", which is blank'],
    ['   ', 'received "   ", which is blank'],
    ['*', 'received "*", which would let any sender read these endpoints'],
    ['*@shop.example', 'which is a wildcard address; to allow every address at shop.example write "shop.example"'],
    ['news@*.shop.example', 'write "*.shop.example" to allow every address at shop.example and its subdomains'],
    ['a@b@shop.example', 'which contains more than one "@"'],
    ['shop', 'where "shop" is a single label, not a full domain such as shop.example'],
    ['news@', 'which has no domain'],
    ['shop..example', 'whose domain has an empty label (a leading, trailing or doubled ".")'],
    ['shop.example.', 'whose domain has an empty label'],
    ['shop.*.example', '"*" is misplaced'],
    ['news@shop_x.example', 'label "shop_x" is not letters, digits and inner hyphens'],
    ['1.2.3.4', 'which looks like an IP address'],
    ['mailto:news@shop.example', 'which is a mailto: link; write only the address "news@shop.example"'],
    ['bücher.example', 'ASCII (punycode'],
    ['"a b"@shop.example', 'which contains whitespace'],
    ['news<x>@shop.example', 'contains "<"'],
  ])('rejects %j precisely', (entry, fragment) => {
    const error = parseError([entry]);
    expect(error.message).toContain('OPENTIME_ALLOWED_SENDERS entry #1: ');
    expect(error.message).toContain(EXPECTED);
    expect(error.message).toContain(fragment);
    expect(error.issues).toHaveLength(1);
  });

  it('names every bad entry and its position, and the type of non-strings', () => {
    const error = parseError(['shop.example', 42, 'http://x', null]);
    expect(error.issues.map((i) => i.index)).toEqual([1, 2, 3]);
    expect(error.message).toMatch(/^OPENTIME_ALLOWED_SENDERS has 3 invalid entries:\n/);
    expect(error.message).toContain('entry #2: ' + EXPECTED + '; received a number, which is not a string.');
    expect(error.message).toContain('entry #3: ');
    expect(error.message).toContain('entry #4: ' + EXPECTED + '; received null, which is not a string.');
  });

  it('never allows a malformed sender, even at an allowed domain', () => {
    const list = SenderAllowlist.parse(['shop.example']);
    expect(list.allows('a b@shop.example')).toBe(false);
    expect(list.allows('a\n@shop.example')).toBe(false);
    expect(list.allows('@shop.example')).toBe(false);
    expect(list.allows('a@shop.example.')).toBe(false);
  });
});
