import type { RequestListener } from 'node:http';
import { PNG } from 'pngjs';
import request from 'supertest';
import type { AmpBlockEndpoint } from '../src/http/amp-block-endpoint';
import type { ImgBlockEndpoint } from '../src/http/img-block-endpoint';
import { openEndpoints } from '../src/http/open-endpoints';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { createLogger } from '../src/log';
import { createMetrics } from '../src/metrics/metrics';

const SENDER = 'news@shop.example';

/** The dispatcher with endpoints that fail in the worst way: a synchronous throw, which no promise catches. */
function withThrowingEndpoints(imageFailure: 'throws' | 'rejects' = 'throws'): { app: RequestListener; fellThrough: string[] } {
  const fellThrough: string[] = [];
  const amp: AmpBlockEndpoint = () => {
    throw new Error('amp endpoint bug');
  };
  const img: ImgBlockEndpoint = () => {
    if (imageFailure === 'rejects') return Promise.reject(new Error('image endpoint bug'));
    throw new Error('image endpoint bug');
  };
  const app = openEndpoints(
    { logger: createLogger('silent'), metrics: createMetrics(), globalAllowlist: SenderAllowlist.parse([SENDER]), amp, img },
    (req, res) => {
      fellThrough.push(`${req.method} ${req.url}`);
      res.end('express');
    },
  );
  return { app, fellThrough };
}

describe('open endpoints in front of Express', () => {
  test('a synchronous throw in the AMP endpoint is a 500 JSON error with the CORS grant, and the process lives on', async () => {
    const { app } = withThrowingEndpoints();
    const response = await request(app).get('/amp/v1/blocks/picks?t=x').set('AMP-Email-Sender', SENDER);
    expect(response.status).toBe(500);
    expect(response.headers['amp-email-allow-sender']).toBe(SENDER);
    expect(response.body.error.code).toBe('internal');
    expect(JSON.stringify(response.body)).not.toContain('amp endpoint bug');
  });

  test('a synchronous throw in the image endpoint is still a 200 image (a transparent pixel, GIF for a .gif)', async () => {
    const { app } = withThrowingEndpoints();
    const png = await request(app).get('/img/v1/blocks/hero-product.png?t=x').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(PNG.sync.read(png.body as Buffer).width).toBe(1);
    const gif = await request(app).get('/img/v1/blocks/flash-countdown.gif?t=x');
    expect(gif.status).toBe(200);
    expect(gif.headers['content-type']).toBe('image/gif');
  });

  test('a rejected promise from the image endpoint is a transparent pixel too, not an unhandled rejection', async () => {
    const { app } = withThrowingEndpoints('rejects');
    const gif = await request(app).get('/img/v1/blocks/flash-countdown.gif?t=x');
    expect(gif.status).toBe(200);
    expect(gif.headers['content-type']).toBe('image/gif');
    expect(gif.headers['cache-control']).toContain('no-cache');
  });

  test('everything else goes to Express: other paths, and other methods under /img', async () => {
    const { app, fellThrough } = withThrowingEndpoints();
    await request(app).get('/healthz');
    await request(app).post('/img/v1/blocks/hero-product.png');
    await request(app).get('/amplifier');
    expect(fellThrough).toEqual(['GET /healthz', 'POST /img/v1/blocks/hero-product.png', 'GET /amplifier']);
  });
});
