import request from 'supertest';
import type { CatalogueReader } from '../src/storage/ports/catalogue-reader';
import { Keyring } from '../src/tokens/keyring';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { AUDIENCE, createFixture, SENDER, type Fixture } from './helpers/app-fixture';
import { ampGet } from './helpers/amp-request';

function expectGrant(response: request.Response): void {
  expect(response.headers['amp-email-allow-sender']).toBe(SENDER);
  expect(response.headers['cache-control']).toBe('private, no-store');
  expect(response.headers['content-type']).toMatch(/^application\/json/);
}

describe('GET /amp/v1/blocks/:blockId', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  test('answers {"items":[view]} for every demo block, with the AMP CORS grant', async () => {
    for (const blockId of fixture.blocks.keys()) {
      const response = await ampGet(fixture, blockId, fixture.token('sub-emma'));
      expect(response.status).toBe(200);
      expectGrant(response);
      expect(response.body.items).toHaveLength(1);
      expect(response.body.items[0].kind).toBe(fixture.blocks.get(blockId)?.kind.name);
    }
  });

  test('an unknown block is a 404 JSON error with the CORS grant', async () => {
    const response = await ampGet(fixture, 'no-such-block', fixture.token('sub-emma'));
    expect(response.status).toBe(404);
    expectGrant(response);
    expect(response.body.error.code).toBe('block_not_found');
  });

  test('a missing token is 401 token_missing, with the CORS grant', async () => {
    const response = await ampGet(fixture, 'picks', undefined);
    expect(response.status).toBe(401);
    expectGrant(response);
    expect(response.body.error.code).toBe('token_missing');
  });

  test('expired, tampered and foreign-key tokens are one uniform 401', async () => {
    const expired = fixture.token('sub-emma', 'flash-sale', { ttlSeconds: 60, now: new Date(fixture.clock.now.getTime() - 120_000) });
    const [header, payload, signature] = fixture.token('sub-emma').split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'sub-lena' })).toString('base64url');
    const otherKeyring = new Keyring({ keys: [{ kid: 'test-1', secret: Buffer.alloc(32, 9).toString('base64url') }], activeKid: 'test-1' });
    const foreign = signSubscriberToken(otherKeyring, { subscriberId: 'sub-emma', campaignId: 'flash-sale' }, { audience: AUDIENCE, now: fixture.clock.now });
    for (const token of [expired, `${header}.${forgedPayload}.${signature}`, foreign, 'garbage']) {
      const response = await ampGet(fixture, 'picks', token);
      expect(response.status).toBe(401);
      expectGrant(response);
      expect(response.body.error).toMatchObject({ code: 'token_invalid' });
      expect(JSON.stringify(response.body)).not.toContain('sub-');
    }
  });

  test('a data failure answers the fallback items (200), logs it, and never a stack trace', async () => {
    const failing = await createFixture({
      wrapCatalogue: (catalogue: CatalogueReader) =>
        new Proxy(catalogue, {
          get(target, property, receiver) {
            if (property === 'getProducts' || property === 'bestSellers') return () => Promise.reject(new Error('database is locked'));
            return Reflect.get(target, property, receiver);
          },
        }),
    });
    const response = await ampGet(failing, 'picks', failing.token('sub-emma'));
    expect(response.status).toBe(200);
    expectGrant(response);
    expect(response.body.items[0].kind).toBe('fallback');
    expect(response.text).not.toContain('database is locked');
    expect(failing.logLines().some((line) => line.includes('"reason":"error"') && line.includes('database is locked'))).toBe(true);
    await failing.close();
  });

  test('a sender on no allowlist gets 403 without a grant', async () => {
    const response = await request(fixture.app)
      .get(`/amp/v1/blocks/picks?t=${fixture.token('sub-emma')}`)
      .set('AMP-Email-Sender', 'spam@elsewhere.example');
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('sender_not_allowed');
    expect(response.headers['amp-email-allow-sender']).toBeUndefined();
  });

  test('a sender allowed only by the campaign is served', async () => {
    await fixture.storage.campaigns.upsertCampaigns([{ id: 'partner', name: 'Partner', endsAt: null, allowedSenders: ['partner.example'], markets: [], templates: [], updatedAt: '2026-01-01T00:00:00.000Z' }]);
    const response = await request(fixture.app)
      .get(`/amp/v1/blocks/picks?t=${fixture.token('sub-emma', 'partner')}`)
      .set('AMP-Email-Sender', 'deals@partner.example');
    expect(response.status).toBe(200);
    expect(response.headers['amp-email-allow-sender']).toBe('deals@partner.example');
  });

  test('CORS version 1 (Origin + __amp_source_origin) works end to end', async () => {
    const response = await request(fixture.app)
      .get(`/amp/v1/blocks/picks?t=${fixture.token('sub-emma')}&__amp_source_origin=${encodeURIComponent(SENDER)}`)
      .set('Origin', 'https://mail.google.com');
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://mail.google.com');
    expect(response.headers['amp-access-control-allow-source-origin']).toBe(SENDER);
    expect(response.headers['access-control-expose-headers']).toContain('AMP-Access-Control-Allow-Source-Origin');
  });

  test('a request without AMP CORS headers is rejected', async () => {
    const response = await request(fixture.app).get(`/amp/v1/blocks/picks?t=${fixture.token('sub-emma')}`);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('amp_cors_missing');
  });

  test('logs carry a request id and never the token or the query string', async () => {
    const token = fixture.token('sub-emma');
    const response = await ampGet(fixture, 'picks', token).set('X-Request-Id', 'trace-123');
    expect(response.headers['x-request-id']).toBe('trace-123');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = fixture.logLines();
    expect(lines.some((line) => line.includes('"reqId":"trace-123"') && line.includes('/amp/v1/blocks/picks'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(token.split('.')[2]);
      expect(line).not.toContain('?t=');
    }
  });

  test('other paths and methods under /amp/v1 are JSON 404s that still carry the CORS grant', async () => {
    const token = fixture.token('sub-emma');
    for (const call of [
      request(fixture.app).get(`/amp/v1/nothing-here?t=${token}`),
      request(fixture.app).get(`/amp/v1/blocks/picks/extra?t=${token}`),
      request(fixture.app).post(`/amp/v1/nothing-here?t=${token}`),
      request(fixture.app).get('/amp/v1'),
    ]) {
      const response = await call.set('AMP-Email-Sender', SENDER);
      expect(response.status).toBe(404);
      expectGrant(response);
      expect(response.body.error.code).toBe('route_not_found');
    }
  });

  test('another method on a block URL is a JSON 405 that says what is allowed; a plain OPTIONS gets 204 with Allow', async () => {
    const token = fixture.token('sub-emma');
    for (const call of [request(fixture.app).post(`/amp/v1/blocks/picks?t=${token}`), request(fixture.app).delete(`/amp/v1/blocks/picks?t=${token}`)]) {
      const response = await call.set('AMP-Email-Sender', SENDER);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
      expectGrant(response);
      expect(response.body.error.code).toBe('method_not_allowed');
      expect(response.body.error.message).toMatch(/answers GET/);
    }
    const options = await request(fixture.app).options(`/amp/v1/blocks/picks?t=${token}`);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS');
    // A CORS preflight is still a preflight.
    const preflight = await request(fixture.app).options(`/amp/v1/blocks/picks?t=${token}`).set('Origin', 'https://mail.google.com').set('Access-Control-Request-Method', 'GET');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
  });

  test('a trailing slash, percent-encoding and another letter case name the same block; HEAD answers the head alone', async () => {
    const token = fixture.token('sub-emma');
    const plain = await ampGet(fixture, 'picks', token);
    for (const path of [`/amp/v1/blocks/picks/?t=${token}`, `/amp/v1/blocks/%70icks?t=${token}`, `/AMP/V1/Blocks/picks?t=${token}`]) {
      const response = await request(fixture.app).get(path).set('AMP-Email-Sender', SENDER);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(plain.body);
    }
    const head = await request(fixture.app).head(`/amp/v1/blocks/picks?t=${token}`).set('AMP-Email-Sender', SENDER);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(plain.headers['content-length']);
    expect(head.text).toBeUndefined();
    const badEncoding = await request(fixture.app).get(`/amp/v1/blocks/%E0%A4%A?t=${token}`).set('AMP-Email-Sender', SENDER);
    expect(badEncoding.status).toBe(404);
    expectGrant(badEncoding);
  });

  test('a token given twice is refused as missing, not guessed', async () => {
    const token = fixture.token('sub-emma');
    const response = await request(fixture.app).get(`/amp/v1/blocks/picks?t=${token}&t=${fixture.token('sub-lena')}`).set('AMP-Email-Sender', SENDER);
    expect(response.status).toBe(401);
    expectGrant(response);
    expect(response.body.error.code).toBe('token_missing');
  });

  test('unknown paths are JSON 404s; /healthz is ok', async () => {
    const missing = await request(fixture.app).get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('route_not_found');
    const health = await request(fixture.app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
  });
});
