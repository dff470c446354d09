import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/processes';
import { startServerNode, type ServerNode } from './helpers/server-node';

/**
 * Redis going away under running nodes: everything it carries has a slower
 * path through the database (README, "Deploying at scale"), so opens, clicks
 * and writes go on, and once Redis is back the nodes hear each other again.
 * This test runs its own redis-server, to kill it.
 */
let redisPort: number;
let redis: ChildProcess | undefined;
let dataDir: string;
let nodeA: ServerNode;
let nodeB: ServerNode;
let heroUrl: (node: ServerNode) => string;

async function startRedis(): Promise<void> {
  // One Redis at a time: after a failed test the one before may still run, and an orphan would keep jest from exiting.
  await stopRedis();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(redisPort, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error('redis-server did not listen');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopRedis(): Promise<void> {
  const running = redis;
  redis = undefined;
  if (!running || running.exitCode !== null) return;
  await new Promise((resolve) => {
    running.once('exit', resolve);
    running.kill('SIGKILL');
  });
}

/** Milliseconds `work` took; an outage must not make anything wait on Redis. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

async function setPrice(node: ServerNode, salePrice: number): Promise<number> {
  const apiKey = fs.readFileSync(path.join(dataDir, 'demo-api-key.txt'), 'utf8').trim();
  const response = await fetch(`${node.url}/api/v1/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ products: [{ id: 'quilted-jacket-olive', prices: { USD: { price: 175, salePrice } } }] }),
  });
  return response.status;
}

async function priceOn(node: ServerNode): Promise<string> {
  const response = await fetch(heroUrl(node), { headers: { 'AMP-Email-Sender': 'news@shop.example' } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: { product: { price: string } }[] }).items[0]?.product.price as string;
}

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-redis-outage-'));
  // Two nodes on one SQLite file and one demo data directory (one set of demo keys), each a single process.
  const env = {
    OPENTIME_DATA_DIR: dataDir,
    OPENTIME_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    OPENTIME_WORKERS: '1',
    OPENTIME_RENDER_THREADS: '1',
    OPENTIME_FRESHNESS_MS: '60000',
  };
  nodeA = await startServerNode(env);
  nodeB = await startServerNode(env);
  // The banner may reach us a moment after the node answers its health check.
  const heroPattern = /'https?:\/\/[^/']+(\/amp\/v1\/blocks\/hero-product\?t=[^']+)'/;
  const bannerDeadline = Date.now() + 10_000;
  while (!heroPattern.test(nodeA.output()) && Date.now() < bannerDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const heroPath = heroPattern.exec(nodeA.output())?.[1] as string;
  heroUrl = (node) => `${node.url}${heroPath}`;
}, 120_000);

afterAll(async () => {
  await Promise.all([nodeA?.stop('SIGKILL'), nodeB?.stop('SIGKILL')]);
  await stopRedis();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('with Redis gone, opens, pictures, clicks and writes are answered without waiting for it', async () => {
  expect(await priceOn(nodeB)).toBe('$131.00');
  await stopRedis();
  const json = await timed(() => priceOn(nodeA));
  const picture = await timed(() => fetch(heroUrl(nodeA).replace('/amp/v1/blocks/hero-product', '/img/v1/blocks/hero-product.png')));
  const click = await timed(() => fetch(heroUrl(nodeB).replace('/amp/v1/blocks/hero-product', '/c/v1/blocks/hero-product/0'), { redirect: 'manual' }));
  const write = await timed(() => setPrice(nodeA, 88));
  expect(json.value).toBe('$131.00');
  expect(picture.value.status).toBe(200);
  expect(click.value.status).toBe(302);
  expect(write.value).toBe(200);
  expect((await fetch(`${nodeB.url}/healthz`)).status).toBe(200);
  // Redis commands fail at once while it is away (no offline queue): nothing waits for a reconnection.
  for (const { ms } of [json, picture, click, write]) expect(ms).toBeLessThan(2000);
});

test('once Redis is back, a write through one node is answered by the other within a second again', async () => {
  await startRedis();
  // The nodes reconnect on their own (within 2 s of Redis listening); until then a write reaches the other node only on expiry.
  const reconnectDeadline = Date.now() + 15_000;
  let price = 90;
  for (;;) {
    price += 1;
    expect(await setPrice(nodeA, price)).toBe(200);
    const heardBy = Date.now() + 1000;
    let heard = false;
    while (!heard && Date.now() < heardBy) {
      heard = (await priceOn(nodeB)) === `$${price}.00`;
      if (!heard) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (heard) break;
    if (Date.now() > reconnectDeadline) throw new Error('node B never heard node A again after Redis came back');
  }
  // Steady again: the next write too.
  expect(await setPrice(nodeA, price + 1)).toBe(200);
  const started = Date.now();
  while ((await priceOn(nodeB)) !== `$${price + 1}.00`) {
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
