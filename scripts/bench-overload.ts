import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CAMPAIGN_IDS, DEMO_SENDERS, DEMO_SUBSCRIBER_IDS } from '../src/data/demo-data';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { packageRoot } from '../src/package-root';
import { Keyring } from '../src/tokens/keyring';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { openStorage } from '../src/storage/open-storage';
import { runLoad, type LoadRequest, type LoadResult } from './bench-load';
import { waitForHealth } from './bench-server';
import { percentile } from './bench-stats';

/**
 * `npm run bench:overload`: does the server keep answering its health check
 * while it is flooded? Two loads, each with a probe of GET /healthz every
 * 100 ms on a connection of its own (5 s limit per probe):
 *
 * 1. 20 connections asking for fresh countdown GIFs (12 subscribers × scale 1
 *    and 2, so nearly every request is a cold GIF: the view changes every
 *    second);
 * 2. 500 connections of mixed JSON and images (PNG and GIF) for every demo
 *    block and subscriber.
 *
 * BENCH_SERVER names another build's main.js (e.g. an older commit's, built in
 * a worktree) to compare before and after in one run on the same machine.
 */

const ROOT = packageRoot();
const SERVER = process.env.BENCH_SERVER ?? path.join(ROOT, 'dist', 'src', 'main.js');
const DURATION = Number(process.env.BENCH_DURATION ?? 6);
const SECRET = Buffer.alloc(32, 42).toString('base64url');
const keyring = new Keyring({ keys: [{ kid: 'bench', secret: SECRET }], activeKid: 'bench' });
const PUBLIC_URL = 'http://127.0.0.1';
const BLOCKS = ['flash-countdown', 'hero-product', 'parka-product', 'picks', 'loyalty-status'];

interface ProbeFigures {
  probes: number;
  /** Probes without an answer within 5 s. */
  unanswered: number;
  p50: number;
  max: number;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-overload-'));
  const storage = await openStorage({ databaseFile: path.join(dataDir, 'opentime.db'), freshnessMs: 0 });
  await seedDemoDataIfEmpty(storage, { baseUrl: PUBLIC_URL, now: new Date() });
  await storage.close();
  const port = 18_090;
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      OPENTIME_DATA_DIR: dataDir,
      OPENTIME_SIGNING_KEYS: `bench:${SECRET}`,
      OPENTIME_PUBLIC_URL: PUBLIC_URL,
      OPENTIME_LOG_LEVEL: 'error',
      // One process, as the figures in the README were measured: its event loop is what the probes test.
      OPENTIME_WORKERS: process.env.OPENTIME_WORKERS ?? '1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child);
    process.stdout.write(`Opentime overload bench: ${SERVER}, ${DURATION}s per load, ${os.availableParallelism()} cores, node ${process.version}\n`);
    const tokens = Object.values(DEMO_SUBSCRIBER_IDS).map((subscriberId) => signSubscriberToken(keyring, { subscriberId, campaignId: DEMO_CAMPAIGN_IDS.flashSale }, { audience: 'opentime' }));
    const gifs: LoadRequest[] = tokens.flatMap((token) => [1, 2].map((scale) => ({ path: `/img/v1/blocks/flash-countdown.gif?t=${token}&scale=${scale}` })));
    const mixed: LoadRequest[] = tokens.flatMap((token) =>
      BLOCKS.flatMap((blockId) => [
        { path: `/amp/v1/blocks/${blockId}?t=${token}`, headers: { 'AMP-Email-Sender': DEMO_SENDERS[0] as string } },
        { path: `/img/v1/blocks/${blockId}.png?t=${token}` },
        { path: `/img/v1/blocks/${blockId}@2x.png?t=${token}` },
        { path: `/img/v1/blocks/${blockId}.gif?t=${token}` },
      ]),
    );
    const idle = await probeWhile(url, new Promise((resolve) => setTimeout(resolve, 2_000)));
    report('idle (no load)', idle.probes);
    for (const [name, requests, connections] of [
      ['20 connections of fresh countdown GIFs', gifs, 20],
      ['500 connections of mixed JSON, PNG and GIF', mixed, 500],
    ] as const) {
      const run = await probeWhile(url, runLoad({ url, requests, connections, durationSeconds: DURATION }));
      report(name, run.probes, run.load as LoadResult);
    }
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Probes /healthz every 100 ms until `work` settles. */
async function probeWhile<T>(url: string, work: Promise<T>): Promise<{ probes: ProbeFigures; load: T }> {
  const latencies: number[] = [];
  let unanswered = 0;
  let done = false;
  const finished = work.finally(() => {
    done = true;
  });
  const probing = (async () => {
    while (!done) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
      } catch {
        unanswered++;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const load = await finished;
  await probing;
  latencies.sort((a, b) => a - b);
  return { load, probes: { probes: latencies.length + unanswered, unanswered, p50: percentile(latencies, 50), max: latencies[latencies.length - 1] ?? Number.NaN } };
}

function report(name: string, probes: ProbeFigures, load?: LoadResult): void {
  const loadText = load ? `  load: ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, errors ${load.errors}` : '';
  process.stdout.write(
    `${name.padEnd(46)} /healthz: ${probes.probes} probes, ${probes.unanswered} unanswered in 5 s, p50 ${probes.p50.toFixed(1)} ms, max ${probes.max.toFixed(1)} ms${loadText}\n`,
  );
}


main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
