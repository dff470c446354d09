import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemoServer } from './bench-demo-server';
import { runLoad, type LoadRequest, type LoadResult } from './bench-load';

/**
 * What the console and its API cost next to an open, on the demo server (one
 * process, loopback, so the console is open without signing in): each page
 * and preview endpoint is loaded for BENCH_DURATION seconds over
 * BENCH_CONNECTIONS connections, between two loads of the baseline (Emma's
 * hero-product amp-list JSON, an open), and reported with its ratio to the
 * mean of the two baselines around it. A console is used by people, not
 * bursts: the figure that matters is that a page costs a person no wait and
 * an open beside it little.
 *
 *   npm run bench:console      # BENCH_DURATION=3 BENCH_CONNECTIONS=4
 */

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-bench-console-'));
  const server = await startDemoServer(path.join(dir, 'data'));
  try {
    const hero = new URL(server.sampleUrl(/'(http:\/\/[^']*\/amp\/v1\/blocks\/hero-product\?t=[^']+)'/));
    const baseline: LoadRequest = { path: `${hero.pathname}${hero.search}`, headers: { 'AMP-Email-Sender': 'news@shop.example' } };
    const api = { authorization: `Bearer ${server.apiKey}` };
    const moment = encodeURIComponent(new Date().toISOString());
    const cases: { label: string; request: LoadRequest }[] = [
      { label: 'page: campaigns', request: { path: '/console/campaigns' } },
      { label: 'page: blocks', request: { path: '/console/blocks' } },
      { label: 'page: timeline', request: { path: '/console/timeline?campaign=flash-sale&subscriber=sub-emma' } },
      { label: 'page: reports', request: { path: '/console/reports?campaign=flash-sale' } },
      { label: 'api: preview block JSON', request: { path: `/api/v1/preview/campaigns/flash-sale/blocks/hero-product?subscriber=sub-lena&at=${moment}`, headers: api } },
      { label: 'api: preview block PNG', request: { path: `/api/v1/preview/campaigns/flash-sale/blocks/hero-product.png?subscriber=sub-lena&at=${moment}`, headers: api } },
      { label: 'api: preview whole email', request: { path: `/api/v1/preview/campaigns/flash-sale/email?subscriber=sub-lena&at=${moment}`, headers: api } },
      { label: 'page: preview (whole)', request: { path: `/console/preview?campaign=flash-sale&subscriber=sub-lena` } },
    ];
    const load = (request: LoadRequest): Promise<LoadResult> => runLoad({ url: server.url, requests: [request], connections: CONNECTIONS, durationSeconds: DURATION });
    await load(baseline); // warm-up: caches, JIT
    console.log(`console bench: ${DURATION} s × ${CONNECTIONS} connections each; ratios against the open (amp-list JSON) measured before and after each case`);
    console.log(`  ${'case'.padEnd(28)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ${'p50 ÷ open'.padStart(10)}  ${'req/s ÷ open'.padStart(12)}  errors`);
    let before = await load(baseline);
    const line = (label: string, result: LoadResult, open: { p50: number; rps: number }): string =>
      `  ${label.padEnd(28)} ${result.requestsPerSecond.toFixed(0).padStart(8)} ${result.p50.toFixed(2).padStart(8)} ${result.p99.toFixed(2).padStart(8)}  ${(result.p50 / open.p50).toFixed(1).padStart(10)}  ${(result.requestsPerSecond / open.rps).toFixed(3).padStart(12)}  ${result.errors}`;
    console.log(line('open: hero JSON (baseline)', before, { p50: before.p50, rps: before.requestsPerSecond }));
    for (const { label, request } of cases) {
      const result = await load(request);
      const after = await load(baseline);
      console.log(line(label, result, { p50: (before.p50 + after.p50) / 2, rps: (before.requestsPerSecond + after.requestsPerSecond) / 2 }));
      before = after;
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
