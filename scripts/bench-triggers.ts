/**
 * Triggered-sends benchmark (README "Triggered sends"):
 *  1. events/s through POST /api/v1/events (a real HTTP server on loopback,
 *     file SQLite, demo data) with the cart-abandonment trigger on and off:
 *     what planning and writing the jobs costs each request;
 *  2. 1,000 jobs all due at once, sent by one worker over SMTP to a loopback
 *     smtp-server: the delay from due to handed over (p50, p95, max) and the
 *     messages/s, against a baseline in the same run that composes and sends
 *     the same 1,000 messages with no queue in between.
 *
 *   npm run bench:triggers      BENCH_EVENT_REQUESTS=3000 BENCH_DUE_JOBS=1000 by default
 */
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ApiKeyring, generateApiKey } from '../src/api/api-keys';
import { createApp } from '../src/app';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { SmtpTransport } from '../src/delivery/smtp-transport';
import { composeSubscriberMessage } from '../src/email/subscriber-message';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { createLogger } from '../src/log';
import { packageRoot } from '../src/package-root';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { Keyring } from '../src/tokens/keyring';
import { parseTriggersConfig } from '../src/triggers/trigger-config';
import { TriggerIntake } from '../src/triggers/trigger-intake';
import { TriggerWorker } from '../src/triggers/trigger-worker';
import { percentile } from './bench-stats';

const EVENT_REQUESTS = Number(process.env.BENCH_EVENT_REQUESTS ?? 3000);
const DUE_JOBS = Number(process.env.BENCH_DUE_JOBS ?? 1000);
const CONCURRENCY = 8;
const SUBSCRIBERS = ['sub-emma', 'sub-oliver', 'sub-lena', 'sub-camille', 'sub-lucia', 'sub-giulia', 'sub-sanne', 'sub-astrid', 'sub-yui', 'sub-rafael', 'sub-layla', 'sub-noah'];
const PRODUCTS = ['peacoat-navy', 'suede-chelsea-boots', 'merino-crew-navy', 'quilted-jacket-olive'];
const keyring = new Keyring({ keys: [{ kid: 'bench', secret: Buffer.alloc(32, 7).toString('base64url') }], activeKid: 'bench' });

const triggersYaml = (delay: string) => `
delivery:
  recipient: "{subscriberId}@shop.example"
  from: news@shop.example
triggers:
  - id: cart-abandonment
    when: added_to_cart
    cancelWhen: [purchased, removed_from_cart]
    delay: ${delay}
    dedupeBy: event
    frequencyCapPerDay: 0
    campaign: flash-sale
    template: flash-sale
`;

async function openSeeded(dir: string, name: string): Promise<SqliteStorage> {
  const storage = openSqliteStorage(path.join(dir, name));
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.example', now: new Date() });
  return storage;
}

/** events/s for EVENT_REQUESTS one-event requests, CONCURRENCY at a time. */
async function eventsPerSecond(dir: string, name: string, triggers: boolean): Promise<number> {
  const storage = await openSeeded(dir, name);
  const issued = generateApiKey('bench', ['events:write']);
  const catalog = parseTriggersConfig(triggersYaml('30m'), 'bench-triggers.yaml');
  const app = createApp({
    storage,
    blocks: loadBlocksConfig(path.join(packageRoot(), 'config', 'blocks.yaml')),
    keyring,
    tokenAudience: 'opentime',
    globalAllowlist: SenderAllowlist.parse(['news@shop.example']),
    logger: createLogger('silent'),
    api: { keys: new ApiKeyring([issued.record]), ...(triggers ? { triggers: new TriggerIntake(storage.triggerJobs, catalog, storage) } : {}) },
  });
  const server: Server = await new Promise((resolve) => {
    const listening = createServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events`;
  let next = 0;
  const run = `${name}-${Date.now()}`;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < EVENT_REQUESTS; i = next++) {
        const event = { id: `${run}-${i}`, type: 'added_to_cart', subscriberId: SUBSCRIBERS[i % SUBSCRIBERS.length], productId: PRODUCTS[i % PRODUCTS.length], occurredAt: new Date().toISOString() };
        const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${issued.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [event] }) });
        if (response.status !== 200) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (triggers && (await storage.triggerJobs.list('pending', EVENT_REQUESTS + 1)).length !== EVENT_REQUESTS) throw new Error('not every event queued a job');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await storage.close();
  return EVENT_REQUESTS / seconds;
}

async function startSink(): Promise<{ url: string; acceptedAt: number[]; close(): Promise<void> }> {
  const acceptedAt: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        acceptedAt.push(performance.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, acceptedAt, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const stats = (delays: number[]): string => {
  const sorted = [...delays].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`;
};

async function dueJobs(dir: string): Promise<void> {
  const storage = await openSeeded(dir, 'due.db');
  const catalog = parseTriggersConfig(triggersYaml('0s'), 'bench-triggers.yaml');
  const template = catalog.triggers[0]!.loadedTemplate;
  const sink = await startSink();
  const transport = new SmtpTransport(sink.url);
  try {
    // Baseline: the same work with no queue: compose and hand over DUE_JOBS messages, one at a time.
    const baselineStart = performance.now();
    for (let i = 0; i < DUE_JOBS; i++) {
      const subscriberId = SUBSCRIBERS[i % SUBSCRIBERS.length] as string;
      const message = await composeSubscriberMessage({ keyring, tokenAudience: 'opentime', publicUrl: 'https://opentime.example', template, campaignId: 'flash-sale', subscriberId, from: 'news@shop.example', to: `${subscriberId}@shop.example` });
      await transport.send({ idempotencyKey: `baseline-${i}`, from: 'news@shop.example', to: `${subscriberId}@shop.example`, triggerId: 'baseline', subscriberId, campaignId: 'flash-sale', message });
    }
    const baselineMs = performance.now() - baselineStart;
    const baselineDelays = sink.acceptedAt.splice(0).map((at) => at - baselineStart);

    const intake = new TriggerIntake(storage.triggerJobs, catalog, storage);
    const now = Date.now();
    const events = Array.from({ length: DUE_JOBS }, (_, i) => ({ id: `due-${i}`, type: 'added_to_cart', subscriberId: SUBSCRIBERS[i % SUBSCRIBERS.length], productId: PRODUCTS[i % PRODUCTS.length], occurredAt: new Date(now).toISOString() }));
    const applied = await intake.eventsAccepted(events);
    if (applied.enqueued.length !== DUE_JOBS) throw new Error(`queued ${applied.enqueued.length} of ${DUE_JOBS}`);
    const worker = new TriggerWorker({
      jobs: storage.triggerJobs,
      catalogue: storage.catalogue,
      catalog,
      transport,
      keyring,
      tokenAudience: 'opentime',
      publicUrl: 'https://opentime.example',
      globalSenders: [],
      logger: createLogger('silent'),
    });
    const queueStart = performance.now();
    const sent = await worker.runOnce();
    const queueMs = performance.now() - queueStart;
    if (sent !== DUE_JOBS || sink.acceptedAt.length !== DUE_JOBS) throw new Error(`sent ${sent}, the sink accepted ${sink.acceptedAt.length}`);
    const queueDelays = sink.acceptedAt.map((at) => at - queueStart);
    console.log(`\n${DUE_JOBS} messages due at once, one process, SMTP to smtp-server on loopback (delay: from due to accepted by SMTP):`);
    console.log(`  baseline (compose + send, no queue)  ${(DUE_JOBS / (baselineMs / 1000)).toFixed(0).padStart(6)} messages/s   ${stats(baselineDelays)}`);
    console.log(`  through the job queue                ${(DUE_JOBS / (queueMs / 1000)).toFixed(0).padStart(6)} messages/s   ${stats(queueDelays)}`);
    console.log(`  queue ÷ baseline: throughput ${(baselineMs / queueMs).toFixed(2)}×, time to send all ${(queueMs / baselineMs).toFixed(2)}×`);
  } finally {
    transport.close();
    await sink.close();
    await storage.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-bench-triggers-'));
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  try {
    const off: number[] = [];
    const on: number[] = [];
    // Interleaved, two rounds each, so a noisy neighbour hurts both alike; the better of each is reported.
    for (let round = 0; round < 2; round++) {
      off.push(await eventsPerSecond(dir, `off-${round}.db`, false));
      on.push(await eventsPerSecond(dir, `on-${round}.db`, true));
    }
    const best = (values: number[]) => Math.max(...values);
    console.log(`\nPOST /api/v1/events, ${EVENT_REQUESTS} requests of one added_to_cart event, ${CONCURRENCY} at a time, file SQLite (WAL):`);
    console.log(`  triggers off  ${best(off).toFixed(0).padStart(6)} events/s   (rounds: ${off.map((v) => v.toFixed(0)).join(', ')})`);
    console.log(`  triggers on   ${best(on).toFixed(0).padStart(6)} events/s   (rounds: ${on.map((v) => v.toFixed(0)).join(', ')}; every event queues a job)`);
    console.log(`  on ÷ off: ${(best(on) / best(off)).toFixed(2)}`);
    await dueJobs(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
