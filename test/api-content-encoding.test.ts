import zlib from 'node:zlib';
import request from 'supertest';
import { createApiApp, getJson, type ApiApp } from './helpers/api-app';

const BATCH = JSON.stringify({ products: [{ id: 'peacoat-navy', stock: 2 }] });

/** A POST of these exact bytes (superagent would JSON-encode a Buffer sent as application/json). */
function postEncoded(fixture: ApiApp, contentEncoding: string, bytes: Buffer) {
  return request(fixture.app)
    .post('/api/v1/products')
    .set('Authorization', `Bearer ${fixture.keys.all}`)
    .set('Content-Type', 'application/json')
    .set('Content-Encoding', contentEncoding)
    .serialize(() => bytes as unknown as string)
    .send(bytes);
}

const notDecodable = (encoding: string) => ({
  error: { code: 'bad_request', message: 'The request is malformed.', detail: `The body is not valid ${encoding} data, as its Content-Encoding says.` },
});

describe('ingestion bodies with a Content-Encoding', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ bodyLimitBytes: 64 * 1024 });
  });
  afterEach(() => fixture.close());

  const stock = async () => (await getJson(fixture, '/api/v1/products/peacoat-navy')).body.product.stock;

  test('a body that is not what its gzip, deflate or br encoding says is a 400 bad_request, not a 500', async () => {
    const before = await stock();
    const truncatedGzip = zlib.gzipSync(BATCH).subarray(0, 20);
    const cases: [string, Buffer][] = [
      ['gzip', Buffer.from('not gzip')],
      ['gzip', truncatedGzip],
      ['deflate', Buffer.from('not deflate')],
      ['br', Buffer.from('not brotli')],
      ['GZIP', Buffer.from(BATCH)],
    ];
    for (const [encoding, bytes] of cases) {
      const response = await postEncoded(fixture, encoding, bytes);
      expect({ encoding, status: response.status, body: response.body }).toEqual({ encoding, status: 400, body: notDecodable(encoding.toLowerCase()) });
    }
    expect(await stock()).toBe(before);
    // Warned about as a client error, never logged as an unhandled error with a stack.
    const logged = fixture.logLines().map((line) => JSON.parse(line) as { level: number; msg: string; status?: number; err?: unknown });
    expect(logged.filter((line) => line.msg === 'request').map((line) => line.status)).toEqual([400, 400, 400, 400, 400]);
    expect(logged.filter((line) => line.level >= 50 || line.err !== undefined)).toEqual([]);
  });

  test('gzip, deflate and br bodies that decode are applied', async () => {
    const encoders: [string, (text: string) => Buffer][] = [
      ['gzip', (text) => zlib.gzipSync(text)],
      ['deflate', (text) => zlib.deflateSync(text)],
      ['br', (text) => zlib.brotliCompressSync(text)],
    ];
    for (const [index, [encoding, encode]] of encoders.entries()) {
      const response = await postEncoded(fixture, encoding, encode(JSON.stringify({ products: [{ id: 'peacoat-navy', stock: 10 + index }] })));
      expect({ encoding, status: response.status }).toEqual({ encoding, status: 200 });
      expect(await stock()).toBe(10 + index);
    }
  });

  test('an encoding we do not decode is 415 unsupported_media_type', async () => {
    const response = await postEncoded(fixture, 'compress', Buffer.from(BATCH));
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      error: { code: 'unsupported_media_type', message: 'Expected Content-Type: application/json, and Content-Encoding gzip, deflate, br or none.', detail: 'Content-Encoding must be gzip, deflate, br or identity.' },
    });
  });

  test('a small gzip body that inflates past the limit is 413', async () => {
    const bomb = zlib.gzipSync(`{"products":[{"id":"peacoat-navy","name":"${'a'.repeat(1024 * 1024)}"}]}`);
    expect(bomb.length).toBeLessThan(8 * 1024);
    const response = await postEncoded(fixture, 'gzip', bomb);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });
});
