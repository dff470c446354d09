/**
 * Conversions benchmark: events per second through POST /api/v1/events on
 * the real server (a separate process, demo data, file SQLite with
 * synchronous=FULL), with a render log of BENCH_SUBSCRIBERS subscribers'
 * opens and clicks behind it, for three kinds of batch:
 *  - product_viewed events (the events path orders share: split, then ingestion);
 *  - order_completed for known subscribers (attributed: last click and last human open looked up per order);
 *  - order_completed for anonymous ids (stored the same way, no attribution lookups).
 *
 *   npm run build && node dist/scripts/bench-conversions.js
 *   BENCH_SUBSCRIBERS=20000 BENCH_EVENTS=20000 BENCH_BATCH=100 BENCH_CONCURRENCY=4 by default
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { openStorage } from '../src/storage/open-storage';
import type { ClickRecord, RenderRecord } from '../src/storage/ports/render-log';
import { startDemoServer, type DemoServer } from './bench-demo-server';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 20_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const HOUR = 3_600_000;

/** Three human renders, one Apple prefetch and one click per subscriber, over the last three days, in two campaigns. */
async function fillRenderLog(dataDir: string, now: number): Promise<void> {
  const storage = await openStorage(loadConfig({ OPENTIME_DATA_DIR: dataDir }, process.cwd()));
  try {
    for (let start = 0; start < SUBSCRIBERS; start += 2000) {
      const renders: RenderRecord[] = [];
      const clicks: ClickRecord[] = [];
      for (let i = start; i < Math.min(SUBSCRIBERS, start + 2000); i++) {
        const subscriberId = `bench-${i}`;
        const variant = i % 10 === 0 ? 'holdout' : i % 2 ? 'history-first' : 'three-cards';
        const base = { subscriberId, surface: 'image' as const, client: 'direct' as const, prefetch: false, variant, outcome: 'view' as const, locked: false, itemIds: [] };
        renders.push({ ...base, renderedAt: now - 70 * HOUR, campaignId: 'spring-sale', blockId: 'picks', client: 'apple-prefetch', prefetch: true });
        renders.push({ ...base, renderedAt: now - 48 * HOUR, campaignId: 'flash-sale', blockId: 'hero' });
        renders.push({ ...base, renderedAt: now - 24 * HOUR, campaignId: 'flash-sale', blockId: 'picks' });
        renders.push({ ...base, renderedAt: now - 2 * HOUR, campaignId: 'flash-sale', blockId: 'hero' });
        clicks.push({ clickedAt: now - 23 * HOUR, campaignId: 'flash-sale', blockId: 'picks', subscriberId, slot: 0, variant, url: 'https://shop.example/p' });
      }
      await storage.renderLog.appendRenders(renders);
      await storage.renderLog.appendClicks(clicks);
    }
  } finally {
    await storage.close();
  }
}

type EventOf = (n: number, occurredAt: string) => object;

async function measure(server: DemoServer, name: string, eventOf: EventOf): Promise<void> {
  const occurredAt = new Date().toISOString();
  const batches = Math.ceil(EVENTS / BATCH);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let b = next++; b < batches; b = next++) {
      const events = Array.from({ length: BATCH }, (_, i) => eventOf(b * BATCH + i, occurredAt));
      const response = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      const body = (await response.json()) as { applied?: number };
      if (response.status !== 200 || body.applied !== BATCH) throw new Error(`${name}: POST answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${name.padEnd(52)} ${String(Math.round((batches * BATCH) / seconds)).padStart(6)} events/s  (${batches} batches of ${BATCH}, ${seconds.toFixed(1)} s)`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-bench-conversions-'));
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  const dataDir = path.join(dir, 'server-data');
  const server = await startDemoServer(dataDir);
  try {
    await fillRenderLog(dataDir, Date.now());
    console.log(`\nPOST /api/v1/events, ${EVENTS} events each, ${CONCURRENCY} clients, render log of ${SUBSCRIBERS} subscribers (${SUBSCRIBERS * 4} renders, ${SUBSCRIBERS} clicks):`);
    const subscriber = (n: number): string => `bench-${n % SUBSCRIBERS}`;
    const lines = [{ productId: 'peacoat-navy', quantity: 1, amount: '189.00' }, { productId: 'merino-crew-navy', quantity: 2, amount: '59.90' }];
    await measure(server, 'product_viewed (no orders in the batch)', (n, occurredAt) => ({ id: `view-${n}`, type: 'product_viewed', subscriberId: subscriber(n), occurredAt, productId: 'peacoat-navy' }));
    await measure(server, 'order_completed, anonymous (no attribution lookups)', (n, occurredAt) => ({ id: `anon-${n}`, type: 'order_completed', orderId: `anon-order-${n}`, anonymousId: `cookie-${n}`, occurredAt, currency: 'EUR', lines }));
    await measure(server, 'order_completed, subscribers (attributed)', (n, occurredAt) => ({ id: `order-${n}`, type: 'order_completed', orderId: `order-${n}`, subscriberId: subscriber(n), occurredAt, currency: 'EUR', lines }));
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
