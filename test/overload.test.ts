import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import request from 'supertest';
import { createApp } from '../src/app';
import { EventLoopLag, type LoadGauge } from '../src/http/event-loop-lag';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { createLogger } from '../src/log';
import { DEMO_SUBSCRIBER_IDS } from '../src/data/demo-data';
import { sharedRenderPool } from '../src/render/render-pool';
import { warmUpRenderer } from '../src/render/warm-up';
import { readGif } from './helpers/gif-reader';
import { createImageApp, getBytes, keyring, type ImageApp } from './helpers/image-app';

let fx: ImageApp | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('under overload', () => {
  it('answers /healthz at once while 20 fresh countdown GIFs are being drawn', async () => {
    fx = await createImageApp({ countDraws: false });
    // As the server does at start-up (main.ts): Skia and the fonts loaded here and in every render thread.
    warmUpRenderer();
    await sharedRenderPool().warmUp();
    const server = http.createServer(fx.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // A server that has served its first opens: the code on the image path is loaded and compiled.
      for (const file of ['flash-countdown.gif', 'flash-countdown@2x.png']) await getBytes(fx.app, `/img/v1/blocks/${file}?t=${fx.token('sub-yui')}`);
      // 10 subscribers × 1x and 2x: twenty different GIFs, none of them cached.
      const subscribers = Object.values(DEMO_SUBSCRIBER_IDS).filter((id) => id !== 'sub-yui').slice(0, 10);
      const gifUrls = subscribers.flatMap((id) => [1, 2].map((scale) => `${base}/img/v1/blocks/flash-countdown.gif?t=${fx!.token(id)}&scale=${scale}`));
      // The client is another process, as mail clients and load balancers are: its own work does not delay the server.
      const report = await runClient(gifUrls, `${base}/healthz`);
      for (const probe of report.probes) {
        expect(probe.status).toBe(200);
        expect(JSON.parse(probe.body)).toEqual({ status: 'ok' });
      }
      // Every GIF request got an image: the animation, or while the render threads were full its first frame.
      expect(report.images.every((image) => image.status === 200 && ['image/gif', 'image/png'].includes(image.type))).toBe(true);
      expect(report.images.some((image) => image.type === 'image/gif')).toBe(true);
      // The probes went out while the GIFs were being drawn.
      expect(Math.max(...report.probes.map((probe) => probe.sentAt))).toBeLessThan(Math.max(...report.images.map((image) => image.doneAt)));
      // The target is 200 ms, which npm run bench:overload measures (3 ms median, 49 ms at most). This bound is
      // generous so the suite passes on a 2-core machine running two other suites at once, where the first probe
      // was seen at 660 ms; the drawing on the event loop this replaced kept probes waiting 1.8 s at the median.
      expect(Math.max(...report.probes.map((probe) => probe.ms))).toBeLessThan(2_000);
      // After the first probe, which waits behind the arrival of the 20 requests, health checks are not held up at all.
      expect(median(report.probes.slice(1).map((probe) => probe.ms))).toBeLessThan(500);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('answers an image not yet rendered with its block\'s fallback picture while overloaded, and live pictures again after', async () => {
    const load = { busy: false };
    const gauge: LoadGauge = { overloaded: () => load.busy };
    fx = await createImageApp({ loadGauge: gauge });
    const cachedUrl = `/img/v1/blocks/hero-product.png?t=${fx.token('sub-emma')}`;
    const live = await getBytes(fx.app, cachedUrl);
    expect(live.headers['x-opentime-outcome']).toBe('view');

    load.busy = true;
    // Already rendered: served from the cache as usual.
    const cached = await getBytes(fx.app, cachedUrl);
    expect(cached.headers['x-opentime-outcome']).toBe('view');
    expect(cached.body.equals(live.body)).toBe(true);
    // Not rendered yet: the block's fallback picture, at once, and no cache may keep it.
    const drawsBefore = fx.draws.length;
    const shed = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-lena')}`);
    expect(shed.status).toBe(200);
    expect(shed.headers['content-type']).toBe('image/png');
    expect(shed.headers['x-opentime-outcome']).toBe('shed');
    expect(shed.headers['cache-control']).toBe('private, no-cache, no-store, max-age=0, must-revalidate');
    expect(PNG.sync.read(shed.body).width).toBe(600);
    expect(fx.draws.slice(drawsBefore).map((call) => call.view.kind)).toEqual(['fallback']);
    // A countdown GIF too: its fallback, not sixty frames.
    const gif = await getBytes(fx.app, `/img/v1/blocks/flash-countdown.gif?t=${fx.token('sub-lena')}`);
    expect(gif.headers['x-opentime-outcome']).toBe('shed');
    expect(readGif(gif.body).frames).toHaveLength(1);

    load.busy = false;
    const again = await getBytes(fx.app, `/img/v1/blocks/hero-product.png?t=${fx.token('sub-lena')}`);
    expect(again.headers['x-opentime-outcome']).toBe('view');
  });

  it('answers /healthz with 503 when the database does not answer', async () => {
    const logger = createLogger('silent');
    const storage = { ping: () => Promise.reject(new Error('database is locked')) };
    const app = createApp({
      storage: storage as never,
      blocks: new Map(),
      keyring,
      tokenAudience: 'x',
      globalAllowlist: SenderAllowlist.parse([]),
      logger,
    });
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable' });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface ClientReport {
  images: { status: number; type: string; doneAt: number }[];
  probes: { status: number; body: string; ms: number; sentAt: number }[];
}

/**
 * A client in a process of its own: sends every image request at once, then
 * five health probes one after another, each on a connection of its own (as a
 * load balancer's), and reports what came back and when (ms from its start).
 */
function runClient(imageUrls: string[], healthUrl: string): Promise<ClientReport> {
  const script = `
    const http = require('node:http');
    const [imageUrls, healthUrl] = JSON.parse(process.argv[1]);
    const t0 = performance.now();
    const get = (url) => new Promise((resolve, reject) => {
      http.get(url, { agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('latin1') }));
      }).on('error', reject);
    });
    (async () => {
      const images = Promise.all(imageUrls.map(async (url) => { const r = await get(url); return { status: r.status, type: r.type, doneAt: performance.now() - t0 }; }));
      const probes = [];
      for (let i = 0; i < 5; i++) {
        const sentAt = performance.now() - t0;
        const r = await get(healthUrl);
        probes.push({ status: r.status, body: r.body, ms: performance.now() - t0 - sentAt, sentAt });
      }
      process.stdout.write(JSON.stringify({ images: await images, probes }));
    })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, JSON.stringify([imageUrls, healthUrl])], { timeout: 60_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`client failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as ClientReport);
    });
  });
}

describe('EventLoopLag', () => {
  it('says overloaded while its timer is overdue by the threshold, and not before', () => {
    const clock = { ms: 1_000 };
    const lag = new EventLoopLag({ overloadedAtMs: 250, intervalMs: 20, now: () => clock.ms });
    try {
      expect(lag.overloaded()).toBe(false);
      // The loop has been busy for 200 ms: the timer, due at +20 ms, is 180 ms late.
      clock.ms += 200;
      expect(lag.overloaded()).toBe(false);
      clock.ms += 100;
      expect(lag.overloaded()).toBe(true);
    } finally {
      lag.close();
    }
  });
});
