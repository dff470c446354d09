import request from 'supertest';
import { loggablePath } from '../src/http/request-log';
import { createImageLoader, loggableImageUrl } from '../src/render/image-loader';
import { createApiApp, getJson, imageOpen, postJson, type ApiApp } from './helpers/api-app';
import { SENDER } from './helpers/app-fixture';

const EMAIL_ID = 'emma.schmidt@example.com';

describe('personal data stays out of the logs', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ logLevel: 'info' });
  });
  afterEach(() => fixture.close());

  const accessLog = () =>
    fixture
      .logLines()
      .map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number })
      .filter((line) => line.msg === 'request');

  test('subscriber ids in /api/v1/subscribers paths are logged as the route pattern', async () => {
    const created = await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: EMAIL_ID, locale: 'de-DE', timeZone: 'Europe/Berlin' }] });
    expect(created.status).toBe(200);
    expect((await getJson(fixture, `/api/v1/subscribers/${encodeURIComponent(EMAIL_ID)}`)).status).toBe(200);
    expect((await getJson(fixture, `/api/v1/subscribers/${EMAIL_ID}`)).status).toBe(200);
    expect((await getJson(fixture, '/API/V1/Subscribers/nobody@example.com')).status).toBe(404);
    expect((await getJson(fixture, `/api/v1/subscriber/${EMAIL_ID}`)).status).toBe(404);

    expect(accessLog().map((line) => [line.path, line.status])).toEqual([
      ['/api/v1/subscribers', 200],
      ['/api/v1/subscribers/:id', 200],
      ['/api/v1/subscribers/:id', 200],
      ['/API/V1/Subscribers/:id', 404],
      ['/api/v1/subscriber/:redacted', 404],
    ]);
    const logged = fixture.logLines().join('\n');
    for (const personal of ['emma.schmidt', 'emma.schmidt%40', 'nobody']) expect(logged).not.toContain(personal);
  });

  test('an open is logged without its t= token', async () => {
    const token = fixture.token('sub-emma');
    const response = await request(fixture.app).get(`/amp/v1/blocks/hero-product?t=${token}&__amp_source_origin=x`).set('AMP-Email-Sender', SENDER);
    expect(response.status).toBe(200);
    expect(accessLog().map((line) => line.path)).toEqual(['/amp/v1/blocks/hero-product']);
    expect(fixture.logLines().join('\n')).not.toContain(token.split('.')[2]);
  });

  test('a product picture URL with credentials is logged without them, through the image endpoint', async () => {
    const image = 'https://shop-user:s3cret-pw@cdn.shop.example/p/quilted.png?X-Amz-Signature=abcdef123456';
    expect((await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', image }] })).status).toBe(200);
    expect((await imageOpen(fixture, 'hero-product', 'sub-emma')).status).toBe(200);
    const notLoaded = fixture.logLines().filter((line) => line.includes('product image not loaded'));
    expect(notLoaded).toHaveLength(1);
    expect(JSON.parse(notLoaded[0] as string)).toMatchObject({ image: 'https://***@cdn.shop.example/p/quilted.png?X-Amz-Signature=***' });
    const logged = fixture.logLines().join('\n');
    for (const secret of ['shop-user', 's3cret-pw', 'abcdef123456']) expect(logged).not.toContain(secret);
  });
});

describe('the redactions themselves', () => {
  test('image URLs keep scheme, host, path and parameter names only', async () => {
    const warnings: unknown[] = [];
    const loader = createImageLoader({ allowedHosts: ['cdn.shop.example'], logger: { warn: (fields: unknown) => warnings.push(fields), debug: () => {} } });
    expect(await loader.load('https://user:pw@cdn.shop.example/a.png')).toBeNull();
    expect(warnings).toEqual([{ image: 'https://***@cdn.shop.example/a.png', reason: 'URLs with credentials are not fetched' }]);
    expect(loggableImageUrl('https://:only-password@cdn.shop.example/a.png?token=t0k&size=2')).toBe('https://***@cdn.shop.example/a.png?token=***&size=***');
    expect(loggableImageUrl('not a url //user:pw@host/x?t=abc')).toBe('not a url //***@host/x');
    expect(loggableImageUrl('data:image/png;base64,AAAA')).toBe('data:…');
  });

  test('paths keep their shape: ids of other records stay, addresses anywhere go, absolute-form URLs lose their host', () => {
    expect(loggablePath('/api/v1/products/quilted-jacket-olive?x=1')).toBe('/api/v1/products/quilted-jacket-olive');
    expect(loggablePath('/api/v1/subscribers/sub-emma/extra')).toBe('/api/v1/subscribers/:id/extra');
    expect(loggablePath('http://user:pw@opentime.test/api/v1/subscribers/emma%40example.com')).toBe('/api/v1/subscribers/:id');
    expect(loggablePath('/c/v1/blocks/picks/0?t=abc')).toBe('/c/v1/blocks/picks/0');
  });
});
