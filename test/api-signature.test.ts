import { createHmac } from 'node:crypto';
import request from 'supertest';
import { signWebhookBody, verifyWebhookSignature, WebhookSignatureError } from '../src/api/webhook-signature';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';

const SECRET = 'whsec_test_0123456789abcdef';
const NOW = new Date('2026-11-22T10:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

function problemOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookSignatureError) return error.problem;
    throw error;
  }
  return 'accepted';
}

describe('webhook signature scheme', () => {
  const body = Buffer.from('{"products":[{"id":"a","stock":1}]}');

  test('the signature is HMAC-SHA256 over "t.body", as hex', () => {
    const expected = createHmac('sha256', SECRET).update(`${nowSeconds}.${body.toString()}`).digest('hex');
    expect(signWebhookBody(SECRET, body, nowSeconds)).toBe(`t=${nowSeconds},v1=${expected}`);
  });

  type Case = [name: string, outcome: string, header: () => string | undefined, signed: Buffer];
  test.each<Case>([
    ['signed now', 'accepted', () => signWebhookBody(SECRET, body, nowSeconds), body],
    ['signed 299 s ago (inside the window)', 'accepted', () => signWebhookBody(SECRET, body, nowSeconds - 299), body],
    ['a replay 301 s later', 'outside_tolerance', () => signWebhookBody(SECRET, body, nowSeconds - 301), body],
    ['a timestamp from the future', 'outside_tolerance', () => signWebhookBody(SECRET, body, nowSeconds + 600), body],
    ['another secret', 'mismatch', () => signWebhookBody('another-secret-of-16+', body, nowSeconds), body],
    ['a tampered body', 'mismatch', () => signWebhookBody(SECRET, body, nowSeconds), Buffer.from(body.toString().replace('1', '9'))],
    ['no header', 'missing', () => undefined, body],
    ['no v1 part', 'malformed', () => `t=${nowSeconds}`, body],
    ['a short v1', 'malformed', () => `t=${nowSeconds},v1=abc`, body],
    ['a moved timestamp with the old mac', 'mismatch', () => signWebhookBody(SECRET, body, nowSeconds - 1).replace(`t=${nowSeconds - 1}`, `t=${nowSeconds}`), body],
  ])('%s → %s', (_name, outcome, header, signed) => {
    expect(problemOf(() => verifyWebhookSignature(SECRET, header(), signed, NOW))).toBe(outcome);
  });

  test('any of several v1 signatures may match (secret rotation)', () => {
    const good = signWebhookBody(SECRET, body, nowSeconds);
    const stale = signWebhookBody('the-old-secret-xxxxxx', body, nowSeconds).split(',')[1];
    expect(problemOf(() => verifyWebhookSignature(SECRET, `${good.split(',')[0]},${stale},${good.split(',')[1]}`, body, NOW))).toBe('accepted');
  });
});

describe('signed ingestion requests', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ webhookSecret: SECRET });
  });
  afterEach(() => fixture.close());
  const stock = async () => (await getJson(fixture, '/api/v1/products/quilted-jacket-olive')).body.product.stock;

  test('a correctly signed request is accepted', async () => {
    const response = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', stock: 7 }] }, { secret: SECRET });
    expect(response.status).toBe(200);
    expect(await stock()).toBe(7);
  });

  test('the signature covers the raw bytes as sent, whitespace and key order included', async () => {
    const raw = '{\n  "products" : [ { "stock": 8, "id": "quilted-jacket-olive" } ]\n}\n';
    const response = await postJson(fixture, '/api/v1/products', raw, { secret: SECRET });
    expect(response.status).toBe(200);
    expect(await stock()).toBe(8);
    // Signing the re-serialised JSON instead of the bytes sent must fail.
    const at = Math.floor(fixture.clock.now.getTime() / 1000);
    const reserialised = await request(fixture.app)
      .post('/api/v1/products')
      .set('Authorization', `Bearer ${fixture.keys.all}`)
      .set('Content-Type', 'application/json')
      .set('Opentime-Signature', signWebhookBody(SECRET, JSON.stringify(JSON.parse(raw.replace('8', '9'))), at))
      .send(raw.replace('8', '9'));
    expect(reserialised.status).toBe(401);
    expect(await stock()).toBe(8);
  });

  test('unsigned, wrongly signed and replayed requests are refused with 401 signature_invalid, nothing written', async () => {
    const body = { products: [{ id: 'quilted-jacket-olive', stock: 1 }] };
    const unsigned = await postJson(fixture, '/api/v1/products', body);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error).toMatchObject({ code: 'signature_invalid', detail: expect.stringMatching(/^Missing opentime-signature header/) });
    const wrong = await postJson(fixture, '/api/v1/products', body, { secret: 'not-the-secret-at-all' });
    expect(wrong.body.error).toMatchObject({ code: 'signature_invalid', detail: expect.stringMatching(/does not match the body/) });
    // A request captured ten minutes ago and sent again.
    const replay = await postJson(fixture, '/api/v1/products', body, { secret: SECRET, signedAt: new Date(fixture.clock.now.getTime() - 600_000) });
    expect(replay.status).toBe(401);
    expect(replay.body.error.detail).toMatch(/possible replay/);
    expect(await stock()).toBe(22);
  });

  test('the API key is still required on signed requests', async () => {
    const response = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', stock: 1 }] }, { secret: SECRET, key: '' });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('api_key_missing');
  });
});
