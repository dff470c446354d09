import request from 'supertest';
import { cacheControl, imageResponseHeaders, isNotModified, strongEtag, type Audience } from '../src/http/cache-policy';
import { ampOpen, createApiApp, getJson, imageOpen } from './helpers/api-app';

describe('cacheControl', () => {
  const table: [Audience, string][] = [
    ['personal', 'private, no-cache, max-age=0, must-revalidate'],
    ['generic', 'public, no-cache, max-age=0, must-revalidate'],
    ['degraded', 'private, no-cache, no-store, max-age=0, must-revalidate'],
    ['static', 'public, max-age=86400'],
    ['private', 'private, no-store'],
    ['operational', 'no-store'],
  ];
  it.each(table)('%s → %s', (audience, expected) => {
    expect(cacheControl(audience)).toBe(expected);
  });

  it('makes Gmail re-fetch every live image on each open (no-cache and max-age=0)', () => {
    for (const audience of ['personal', 'generic', 'degraded'] as const) {
      const directives = cacheControl(audience).split(', ');
      expect(directives).toEqual(expect.arrayContaining(['no-cache', 'max-age=0', 'must-revalidate']));
    }
  });

  it('never lets a shared cache keep a personalised or failed image', () => {
    expect(cacheControl('personal')).toMatch(/^private\b/);
    expect(cacheControl('degraded')).toContain('no-store');
  });
});

describe('strongEtag', () => {
  it('is a quoted strong tag that depends only on the bytes', () => {
    const tag = strongEtag(Buffer.from('abc'));
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(strongEtag(Buffer.from('abc'))).toBe(tag);
    expect(strongEtag(Buffer.from('abd'))).not.toBe(tag);
  });
});

describe('isNotModified', () => {
  const tag = '"abc"';
  const table: [string | undefined, boolean][] = [
    [undefined, false],
    ['', false],
    ['"abc"', true],
    ['"xyz"', false],
    ['W/"abc"', true], // If-None-Match uses the weak comparison
    ['"xyz", "abc"', true],
    ['"xyz" ,W/"abc"', true],
    ['"ab"', false],
    ['*', true],
  ];
  it.each(table)('If-None-Match %p → %p', (header, expected) => {
    expect(isNotModified(header, tag)).toBe(expected);
  });
});

describe('imageResponseHeaders', () => {
  it('carries type, length, validator and cache policy', () => {
    expect(imageResponseHeaders({ contentType: 'image/png', byteLength: 1234, etag: '"t"', audience: 'personal' })).toEqual({
      'Content-Type': 'image/png',
      'Content-Length': '1234',
      'Cache-Control': 'private, no-cache, max-age=0, must-revalidate',
      ETag: '"t"',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('leaves the length out for a 304 and names the outcome when given', () => {
    expect(imageResponseHeaders({ contentType: 'image/gif', byteLength: null, etag: '"t"', audience: 'generic', outcome: 'view' })).toEqual({
      'Content-Type': 'image/gif',
      'Cache-Control': 'public, no-cache, max-age=0, must-revalidate',
      ETag: '"t"',
      'X-Content-Type-Options': 'nosniff',
      'X-Opentime-Outcome': 'view',
    });
  });
});

describe('every surface takes its Cache-Control from cacheControl', () => {
  it('amp-list JSON, its errors, clicks, images, health, metrics and the API', async () => {
    const fx = await createApiApp();
    try {
      const emma = fx.token('sub-emma');
      expect((await ampOpen(fx, 'picks', 'sub-emma')).headers['cache-control']).toBe(cacheControl('private'));
      const refused = await request(fx.app).get('/amp/v1/blocks/picks?t=nope').set('AMP-Email-Sender', 'news@shop.example');
      expect(refused.status).toBe(401);
      expect(refused.headers['cache-control']).toBe(cacheControl('private'));
      expect((await imageOpen(fx, 'picks', 'sub-emma')).headers['cache-control']).toBe(cacheControl('personal'));
      expect((await request(fx.app).get(`/c/v1/blocks/picks/0?t=${emma}`)).headers['cache-control']).toBe(cacheControl('private'));
      expect((await request(fx.app).get('/healthz')).headers['cache-control']).toBe(cacheControl('operational'));
      expect((await request(fx.app).get('/metrics')).headers['cache-control']).toBe(cacheControl('operational'));
      expect((await getJson(fx, '/api/v1/products/quilted-jacket-olive')).headers['cache-control']).toBe(cacheControl('operational'));
    } finally {
      await fx.close();
    }
  });
});
