/**
 * Ingestion benchmark:
 *  1. feed import speed: a generated catalogue as CSV, NDJSON and JSON,
 *     imported into a fresh file-backed SQLite (WAL, synchronous=FULL), as
 *     `opentime import` does;
 *  2. freshness: against the real server (a separate process, demo data),
 *     the time from a 2xx on POST /api/v1/products to the first open that
 *     shows the new price, on the amp-list JSON and on the PNG.
 *
 *   npm run build && node dist/scripts/bench-ingest.js
 *   BENCH_ROWS=200000 BENCH_FRESHNESS_ROUNDS=20 by default
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFeed } from '../src/data/ingest-feed';
import type { FeedFormat } from '../src/data/ingest-feed-readers';
import { openStorage } from '../src/storage/open-storage';
import { startDemoServer } from './bench-demo-server';
import { percentile } from './bench-stats';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_FRESHNESS_ROUNDS ?? 20);

/** Generation 2 of the feed: every stock figure changed, a later source timestamp. */
function catalogueRow(i: number, generation: 1 | 2 = 1) {
  return {
    id: `sku-${i}`,
    name: `Product ${i}, colour ${i % 17}`,
    url: `https://shop.example/p/sku-${i}`,
    image: `https://cdn.shop.example/i/sku-${i}.jpg`,
    category: `category-${i % 40}`,
    price: 10 + (i % 500) + 0.9,
    salePrice: i % 3 === 0 ? 5 + (i % 400) : null,
    currency: 'EUR',
    stock: (i + generation) % 50,
    popularity: (i * 7919) % 10_000,
    updatedAt: generation === 1 ? '2026-11-22T08:00:00Z' : '2026-11-22T09:00:00Z',
  };
}

function writeFeeds(dir: string, generation: 1 | 2): Record<FeedFormat, string> {
  const files = {
    csv: path.join(dir, `products-${generation}.csv`),
    ndjson: path.join(dir, `products-${generation}.ndjson`),
    json: path.join(dir, `products-${generation}.json`),
  };
  const columns = Object.keys(catalogueRow(0));
  const csv = fs.openSync(files.csv, 'w');
  const ndjson = fs.openSync(files.ndjson, 'w');
  const json = fs.openSync(files.json, 'w');
  fs.writeSync(csv, `${columns.join(',')}\n`);
  fs.writeSync(json, '[\n');
  const batch: string[][] = [[], [], []];
  for (let i = 0; i < ROWS; i++) {
    const row = catalogueRow(i, generation);
    batch[0]!.push(`${columns.map((c) => (c === 'name' ? `"${row.name}"` : String((row as Record<string, unknown>)[c] ?? ''))).join(',')}\n`);
    batch[1]!.push(`${JSON.stringify(row)}\n`);
    batch[2]!.push(`${i ? ',\n' : ''}${JSON.stringify(row)}`);
    if (batch[0]!.length === 10_000 || i === ROWS - 1) {
      fs.writeSync(csv, batch[0]!.join(''));
      fs.writeSync(ndjson, batch[1]!.join(''));
      fs.writeSync(json, batch[2]!.join(''));
      batch.forEach((lines) => (lines.length = 0));
    }
  }
  fs.writeSync(json, '\n]\n');
  [csv, ndjson, json].forEach((fd) => fs.closeSync(fd));
  return files;
}

async function benchImport(dir: string): Promise<void> {
  const generations = { 1: writeFeeds(dir, 1), 2: writeFeeds(dir, 2) };
  console.log(`\nImport of ${ROWS.toLocaleString('en-US')} products into a file database (WAL, synchronous=FULL, 20,000 rows per transaction):`);
  console.log('  insert: into an empty database; update: every stock changed, newer timestamps; reload: the same file again (unchanged rows are not rewritten)');
  const passes = [
    ['insert', 1],
    ['update', 2],
    ['reload', 2],
  ] as const;
  for (const format of ['csv', 'ndjson', 'json'] as const) {
    const databaseFile = path.join(dir, `bench-${format}.db`);
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${databaseFile}${suffix}`, { force: true });
    for (const [pass, generation] of passes) {
      const file = generations[generation][format];
      const storage = await openStorage({ databaseFile, freshnessMs: 0 });
      const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file });
      await storage.close();
      if (summary.rejected.length) throw new Error(`${format}: ${summary.rejected.length} rows rejected, e.g. ${JSON.stringify(summary.rejected[0])}`);
      const rate = Math.round(summary.rows / (summary.elapsedMs / 1000));
      const size = (fs.statSync(file).size / 1e6).toFixed(1);
      const counts = `${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged`;
      console.log(`  ${format.padEnd(6)} ${pass.padEnd(6)} ${size.padStart(6)} MB  ${(summary.elapsedMs / 1000).toFixed(2).padStart(6)} s  ${rate.toLocaleString('en-US').padStart(8)} rows/s  (${counts})`);
    }
  }
}

async function benchFreshness(dir: string): Promise<void> {
  const server = await startDemoServer(path.join(dir, 'server-data'));
  try {
    const apiKey = server.apiKey;
    const productUrl = server.sampleUrl(/'(http:\/\/[^']*\/amp\/v1\/blocks\/hero-product\?t=[^']+)'/);
    const imageUrl = productUrl.replace('/amp/v1/blocks/hero-product?', '/img/v1/blocks/hero-product.png?');
    const json = { 'AMP-Email-Sender': 'news@shop.example' };
    const jsonMs: number[] = [];
    const imageMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Warm every cache with the old value first, so the measurement includes invalidation.
      await (await fetch(productUrl, { headers: json })).arrayBuffer();
      const before = Buffer.from(await (await fetch(imageUrl)).arrayBuffer());
      const salePrice = 60 + round;
      const response = await fetch(`${server.url}/api/v1/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        // The printed URLs are Emma's, who shops in dollars: her price is the jacket's USD entry.
        body: JSON.stringify({ products: [{ id: 'quilted-jacket-olive', prices: { USD: { price: 175, salePrice } } }] }),
      });
      if (response.status !== 200) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
      const acknowledged = performance.now();
      for (;;) {
        const body = (await (await fetch(productUrl, { headers: json })).json()) as { items: { product: { price: string } }[] };
        if (body.items[0]?.product.price === `$${salePrice}.00`) break;
        if (performance.now() - acknowledged > 5000) throw new Error('the JSON never showed the new price');
      }
      jsonMs.push(performance.now() - acknowledged);
      const imageStart = performance.now();
      for (;;) {
        const bytes = Buffer.from(await (await fetch(imageUrl)).arrayBuffer());
        if (!bytes.equals(before)) break;
        if (performance.now() - imageStart > 5000) throw new Error('the image never changed');
      }
      imageMs.push(performance.now() - acknowledged);
    }
    const line = (name: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `  ${name.padEnd(38)} median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`;
    };
    console.log(`\nFreshness over HTTP, real server process, ${ROUNDS} price changes (2xx → first open showing it):`);
    console.log(line('amp-list JSON', jsonMs));
    console.log(line('PNG (after the JSON check)', imageMs));
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-bench-ingest-'));
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  try {
    await benchImport(dir);
    await benchFreshness(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
