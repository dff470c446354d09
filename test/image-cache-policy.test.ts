import { imageCacheControl, imageResponseHeaders, isNotModified, strongEtag, type ImageAudience } from '../src/http/image-cache-policy';

describe('imageCacheControl', () => {
  const table: [ImageAudience, string][] = [
    ['personal', 'private, no-cache, max-age=0, must-revalidate'],
    ['generic', 'public, no-cache, max-age=0, must-revalidate'],
    ['degraded', 'private, no-cache, no-store, max-age=0, must-revalidate'],
    ['static', 'public, max-age=86400'],
  ];
  it.each(table)('%s → %s', (audience, expected) => {
    expect(imageCacheControl(audience)).toBe(expected);
  });

  it('makes Gmail re-fetch every live image on each open (no-cache and max-age=0)', () => {
    for (const audience of ['personal', 'generic', 'degraded'] as const) {
      const directives = imageCacheControl(audience).split(', ');
      expect(directives).toEqual(expect.arrayContaining(['no-cache', 'max-age=0', 'must-revalidate']));
    }
  });

  it('never lets a shared cache keep a personalised or failed image', () => {
    expect(imageCacheControl('personal')).toMatch(/^private\b/);
    expect(imageCacheControl('degraded')).toContain('no-store');
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
