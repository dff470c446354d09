import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashApiKey } from '../../src/api/api-keys';
import { loadConfig } from '../../src/config';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { openStorage } from '../../src/storage/open-storage';
import type { Storage } from '../../src/storage/storage';
import { keyringFromConfig } from '../../src/tokens/keyring-from-config';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import { createTestDatabase, type TestDatabase } from './helpers/test-databases';
import { startServerNode, type ServerNode } from './helpers/server-node';

/**
 * Two nodes of one deployment: separate processes sharing one PostgreSQL and
 * one Redis, as two machines behind a load balancer would
 * (README, "Deploying at scale"). Any request may reach either.
 */
const BLOCKS = `
blocks:
  - id: hero-product
    kind: product
    productId: quilted-jacket-olive
    defaultUrl: https://shop.example/sale
  - id: picks
    kind: recommendations
    count: 4
    defaultUrl: https://shop.example/new
    lockAtFirstOpen: true
  - id: picks-live
    kind: recommendations
    count: 4
    defaultUrl: https://shop.example/new
`;

const SIGNING_KEYS = `e2e:${Buffer.alloc(32, 7).toString('base64url')}`;
const API_KEY = 'otk_two-nodes-test-key-0123456789';
const AMP = { 'AMP-Email-Sender': 'news@shop.example' };

let database: TestDatabase;
let storage: Storage;
let workDir: string;
let nodeA: ServerNode;
let nodeB: ServerNode;

function token(subscriberId: string): string {
  const keyring = keyringFromConfig(loadConfig({ OPENTIME_SIGNING_KEYS: SIGNING_KEYS }, workDir));
  return signSubscriberToken(keyring, { subscriberId, campaignId: 'flash-sale' }, { audience: 'opentime' });
}

async function json(node: ServerNode, block: string, subscriberId: string): Promise<any> {
  const response = await fetch(`${node.url}/amp/v1/blocks/${block}?t=${token(subscriberId)}`, { headers: AMP });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: unknown[] }).items[0];
}

async function png(node: ServerNode, block: string, subscriberId: string): Promise<Buffer> {
  const response = await fetch(`${node.url}/img/v1/blocks/${block}.png?t=${token(subscriberId)}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/png');
  return Buffer.from(await response.arrayBuffer());
}

async function api(node: ServerNode, route: string, body?: unknown): Promise<Response> {
  return fetch(`${node.url}/api/v1/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Polls `read` until it returns something `done` accepts, at most `withinMs`; resolves with how long that took. */
async function within<T>(withinMs: number, read: () => Promise<T>, done: (value: T) => boolean): Promise<number> {
  const started = Date.now();
  let last: T | undefined;
  while (Date.now() - started <= withinMs) {
    last = await read();
    if (done(last)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not within ${withinMs} ms; last read: ${JSON.stringify(last)}`);
}

const productIds = (view: { products: { id: string }[] }): string[] => view.products.map((product) => product.id);

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-two-nodes-'));
  const blocksFile = path.join(workDir, 'blocks.yaml');
  fs.writeFileSync(blocksFile, BLOCKS);
  // The test's own connection writes beside the nodes without telling them, as another tool would.
  storage = await openStorage({ databaseUrl: database.url, databaseFile: path.join(workDir, 'unused.db'), freshnessMs: 0 });
  await seedDemoDataIfEmpty(storage, { baseUrl: 'http://127.0.0.1', now: new Date() });
  const env = (name: string): NodeJS.ProcessEnv => ({
    OPENTIME_DATABASE_URL: database.url,
    OPENTIME_REDIS_URL: process.env.OPENTIME_TEST_REDIS_URL,
    OPENTIME_SIGNING_KEYS: SIGNING_KEYS,
    OPENTIME_API_KEYS: `e2e:products:write+products:read+subscribers:write+subscribers:read:${hashApiKey(API_KEY)}`,
    OPENTIME_BLOCKS: blocksFile,
    OPENTIME_DATA_DIR: path.join(workDir, name),
    OPENTIME_WORKERS: '1',
    OPENTIME_RENDER_THREADS: '1',
    // Cached figures would live a minute: only Redis telling the nodes makes a write show within a second.
    OPENTIME_FRESHNESS_MS: '60000',
  });
  [nodeA, nodeB] = await Promise.all([startServerNode(env('a')), startServerNode(env('b'))]);
}, 120_000);

afterAll(async () => {
  await Promise.all([nodeA?.stop('SIGKILL'), nodeB?.stop('SIGKILL')]);
  await storage?.close();
  await database?.drop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('a price written through node A is answered by node B within 1 s, as JSON and as image', async () => {
  const priceOnB = async (): Promise<string> => (await json(nodeB, 'hero-product', 'sub-emma')).product.price as string;
  expect(await priceOnB()).toBe('$131.00');
  const pictureBefore = await png(nodeB, 'hero-product', 'sub-emma');
  const written = await api(nodeA, 'products', { products: [{ id: 'quilted-jacket-olive', prices: { USD: { price: 175, salePrice: 77 } } }] });
  expect(written.status).toBe(200);
  await within(1000, priceOnB, (price) => price === '$77.00');
  // The picture B draws now is the one A draws for the new price, not B's picture from before.
  const pictureOnA = await png(nodeA, 'hero-product', 'sub-emma');
  await within(1000, () => png(nodeB, 'hero-product', 'sub-emma'), (picture) => picture.equals(pictureOnA));
  expect(pictureOnA.equals(pictureBefore)).toBe(false);
});

test('20 concurrent first opens of a locked block, spread over both nodes that disagree on the data, freeze exactly one view', async () => {
  // B caches Camille's history through the unlocked twin of the block, then her history changes behind both nodes' backs:
  // A reads the new one, B keeps its cached copy (60 s), so left alone they would show different picks.
  const before = productIds(await json(nodeB, 'picks-live', 'sub-camille'));
  const camille = await storage.catalogue.getSubscriber('sub-camille');
  await storage.ingestion.upsertSubscribers([{ ...camille!, cart: ['wool-overcoat-camel', 'peacoat-navy', 'wrap-coat-grey', 'rain-jacket-yellow'], recentViews: [] }]);
  const onA = productIds(await json(nodeA, 'picks-live', 'sub-camille'));
  expect(productIds(await json(nodeB, 'picks-live', 'sub-camille'))).toEqual(before);
  expect(onA).not.toEqual(before);

  const opens = await Promise.all(Array.from({ length: 20 }, (_, i) => json(i % 2 === 0 ? nodeA : nodeB, 'picks', 'sub-camille')));
  const shown = opens.map((view) => productIds(view).join(','));
  expect(new Set(shown).size).toBe(1);
  const lock = await storage.locks.get('flash-sale', 'picks', 'sub-camille');
  expect(productIds(lock!.view as unknown as { products: { id: string }[] }).join(',')).toBe(shown[0]);
});

test('a click served by node B lands on what node A\'s image showed, though the block shows something else by then', async () => {
  const shownByA = productIds(await json(nodeA, 'picks-live', 'sub-lena'));
  await png(nodeA, 'picks-live', 'sub-lena');
  // What A drew in slot 0 sells out at once: B's live picks no longer hold it.
  const soldOut = await api(nodeA, 'products', { products: [{ id: shownByA[0], stock: 0 }] });
  expect(soldOut.status).toBe(200);
  const click = await fetch(`${nodeB.url}/c/v1/blocks/picks-live/0?t=${token('sub-lena')}`, { redirect: 'manual' });
  expect(click.status).toBe(302);
  const product = await storage.catalogue.getProduct(shownByA[0] as string);
  expect(click.headers.get('location')).toBe(product?.url);
  expect(productIds(await json(nodeB, 'picks-live', 'sub-lena'))).not.toContain(shownByA[0]);
});

test('SIGKILL of node A loses no acknowledged ingestion write, and node B keeps answering', async () => {
  const template = await storage.catalogue.getProduct('quilted-jacket-olive');
  const acknowledged: string[] = [];
  let killed = false;
  const writes = Array.from({ length: 60 }, async (_, i) => {
    const id = `e2e-coat-${i}`;
    const { id: _ignored, ...fields } = template!;
    try {
      const response = await api(nodeA, 'products', { products: [{ ...fields, id, updatedAt: undefined }] });
      if (response.status === 200) acknowledged.push(id);
      // The kill lands in the middle of the burst: some writes acknowledged, some in flight, some refused.
      if (acknowledged.length === 10 && !killed) {
        killed = true;
        nodeA.child.kill('SIGKILL');
      }
    } catch {
      // The connection died with node A: not acknowledged, so nothing is promised.
    }
  });
  await Promise.all(writes);
  expect(killed).toBe(true);
  expect(acknowledged.length).toBeGreaterThanOrEqual(10);
  for (const id of acknowledged) {
    const read = await api(nodeB, `products/${id}`);
    expect(read.status).toBe(200);
  }
  expect((await json(nodeB, 'hero-product', 'sub-emma')).product.name).toBeDefined();
  expect((await fetch(`${nodeB.url}/healthz`)).status).toBe(200);
});
