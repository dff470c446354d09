import request from 'supertest';
import { createMetrics } from '../src/metrics/metrics';
import { surfaceOf } from '../src/metrics/request-duration';
import { createRecordingApp, MPP, type RecordingApp } from './helpers/recording-app';

const BLOCKS = `
blocks:
  - { id: hero, kind: product, productId: quilted-jacket-olive, defaultUrl: "https://shop.example/sale" }
  - { id: gone, kind: product, productId: no-such-product, defaultUrl: "https://shop.example/sale" }
`;

/** The value of one sample line, e.g. 'opentime_renders_total{block="hero",…}'. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let fx: RecordingApp;
  afterEach(() => fx.close());

  test('renders by block, kind, surface and client; fallbacks by reason; latency; caches; queue depth', async () => {
    fx = await createRecordingApp({ blocksYaml: BLOCKS });
    await fx.json('hero', 'sub-emma');
    await fx.json('hero', 'sub-oliver');
    await fx.image('hero', 'sub-emma', { userAgent: MPP.userAgent, address: MPP.address });
    await fx.image('hero', 'sub-emma'); // same view again: a render-cache hit
    await fx.json('gone', 'sub-emma'); // product missing: fallback, reason data_missing
    await request(fx.app).get(`/c/v1/blocks/hero/0?t=${fx.token('sub-emma')}`).expect(302);

    const response = await request(fx.app).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(sample(text, 'opentime_renders_total{block="hero",kind="product",surface="json",client="amp"}')).toBe(2);
    expect(sample(text, 'opentime_renders_total{block="hero",kind="product",surface="image",client="apple-prefetch"}')).toBe(1);
    expect(sample(text, 'opentime_renders_total{block="hero",kind="product",surface="image",client="direct"}')).toBe(1);
    expect(sample(text, 'opentime_fallbacks_total{block="gone",surface="json",reason="data_missing"}')).toBe(1);
    expect(sample(text, 'opentime_clicks_total{block="hero"}')).toBe(1);
    expect(sample(text, 'opentime_http_request_duration_seconds_count{surface="json",status_class="2xx"}')).toBe(3);
    expect(sample(text, 'opentime_http_request_duration_seconds_count{surface="image",status_class="2xx"}')).toBe(2);
    expect(sample(text, 'opentime_http_request_duration_seconds_count{surface="click",status_class="3xx"}')).toBe(1);
    expect(sample(text, 'opentime_cache_requests_total{cache="render",result="hit"}')).toBe(1);
    expect(sample(text, 'opentime_cache_requests_total{cache="render",result="miss"}')).toBe(1);
    expect(sample(text, 'opentime_cache_hit_ratio{cache="render"}')).toBe(0.5);
    expect(sample(text, 'opentime_cache_requests_total{cache="store.products",result="miss"}')).toBeGreaterThan(0);
    // 5 renders and 1 click wait in memory (the test's log flushes only when told).
    expect(sample(text, 'opentime_write_behind_queue_depth{queue="renders"}')).toBe(5);
    expect(sample(text, 'opentime_write_behind_queue_depth{queue="clicks"}')).toBe(1);

    await fx.flush();
    const after = (await request(fx.app).get('/metrics')).text;
    expect(sample(after, 'opentime_write_behind_queue_depth{queue="renders"}')).toBe(0);
    expect(sample(after, 'opentime_write_behind_written_total{queue="renders"}')).toBe(5);
    // The scrape itself is not a measured request.
    expect(after).not.toContain('surface="other"');
  });

  test('counts ingestion through the counter the API calls', async () => {
    fx = await createRecordingApp({ blocksYaml: BLOCKS });
    fx.metrics.ingested.inc({ type: 'products', outcome: 'applied' }, 3);
    fx.metrics.ingested.inc({ type: 'events', outcome: 'duplicate' });
    const text = (await request(fx.app).get('/metrics')).text;
    expect(sample(text, 'opentime_ingested_total{type="products",outcome="applied"}')).toBe(3);
    expect(sample(text, 'opentime_ingested_total{type="events",outcome="duplicate"}')).toBe(1);
  });

  test('asks for the bearer token when one is configured', async () => {
    fx = await createRecordingApp({ blocksYaml: BLOCKS, metricsToken: 'a-long-enough-metrics-token' });
    expect((await request(fx.app).get('/metrics')).status).toBe(401);
    expect((await request(fx.app).get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
    expect((await request(fx.app).get('/metrics').set('Authorization', 'Bearer a-long-enough-metrics-token')).status).toBe(200);
  });
});

describe('metrics helpers', () => {
  test('each app has its own registry, so two apps in one process do not collide', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.countRender('x', 'product', 'json', 'amp');
    expect(await a.registry.getSingleMetricAsString('opentime_renders_total')).toContain('block="x"');
    expect(await b.registry.getSingleMetricAsString('opentime_renders_total')).not.toContain('block="x"');
  });

  test('surfaces are a handful of labels, never paths', () => {
    expect(['/amp/v1/blocks/a', '/img/v1/blocks/a.png', '/c/v1/blocks/a/0', '/api/v1/products', '/healthz'].map(surfaceOf)).toEqual(['json', 'image', 'click', 'api', 'other']);
  });
});
