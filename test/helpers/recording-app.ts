import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import request from 'supertest';
import { createApp, type OpentimeApp } from '../../src/app';
import { parseBlocksConfig, type BlockCatalog } from '../../src/blocks/blocks-config';
import { ApiKeyring, generateApiKey, type ApiScope } from '../../src/api/api-keys';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import { createMetrics, type Metrics } from '../../src/metrics/metrics';
import { AppleRelayRanges } from '../../src/open/apple-relay-ranges';
import type { ShownView } from '../../src/kinds/kind-of-view';
import type { DrawBlockFn } from '../../src/render/block-image';
import { drawBlock } from '../../src/render/draw-block';
import { createImageLoader } from '../../src/render/image-loader';
import { BlockLocks } from '../../src/recording/block-locks';
import { RenderLog } from '../../src/recording/render-log';
import { openStorage } from '../../src/storage/open-storage';
import type { Storage } from '../../src/storage/storage';
import { Keyring } from '../../src/tokens/keyring';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';

/**
 * A real app (createApp) on a SQLite file (openStorage) seeded with the demo
 * data, with the recording parts (reports, lock-at-first-open, client
 * detection) held by the test: the render log flushes only when a test says
 * so, lock claims are written as they are made, every drawn view is kept, and Apple's relay list
 * is a known sample.
 */

export const NOW = new Date('2026-11-22T10:00:00.000Z');
export const AUDIENCE = 'opentime-recording-test';
export const SENDER = 'news@shop.example';
/** Real entries of Apple's published egress list (mask-api.icloud.com/egress-ip-ranges.csv). */
export const RELAY_SAMPLE = ['172.224.226.0/27', '172.224.226.32/31', '2a02:26f7:b3c0:4000::/64'];
/** A Mail Privacy Protection prefetch as it reaches us: the bare user agent, from a relay address. */
export const MPP = { userAgent: 'Mozilla/5.0', address: '172.224.226.7' };
export const APPLE_MAIL_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
export const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

const keyring = new Keyring({ keys: [{ kid: 'rec-1', secret: Buffer.alloc(32, 5).toString('base64url') }], activeKid: 'rec-1' });

export interface RecordingApp {
  app: OpentimeApp;
  /** What the app runs on: the database file behind the catalogue cache. */
  storage: Storage;
  /** A second, read-only connection to the same database file, for asserting on stored rows. */
  db: Database;
  blocks: BlockCatalog;
  clock: { now: Date };
  renderLog: RenderLog;
  locks: BlockLocks;
  metrics: Metrics;
  /** Every view handed to the image drawing, in order. */
  drawn: ShownView[];
  /** A key with every scope, and one per scope set asked for. */
  apiKey(scopes?: readonly ApiScope[]): string;
  token(subscriberId: string, campaignId?: string): string;
  /** GET the block's JSON as an AMP client; resolves to the first item. */
  json(blockId: string, subscriberId: string, campaignId?: string): Promise<Record<string, any>>;
  /** GET the block's PNG as a given client; resolves to the response. */
  image(blockId: string, subscriberId: string, client?: { userAgent?: string; address?: string }, campaignId?: string): Promise<request.Response>;
  /** Flushes renders, clicks and lock claims to SQLite. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function createRecordingApp(options: { blocksYaml: string; draw?: DrawBlockFn; renderLogOff?: boolean; metricsToken?: string }): Promise<RecordingApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-recording-'));
  const file = path.join(dir, 'opentime.db');
  const storage = await openStorage({ databaseFile: file, freshnessMs: 0 });
  const db = new BetterSqlite3(file, { readonly: true });
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: NOW });
  const blocks = parseBlocksConfig(options.blocksYaml, 'test blocks');
  const clock = { now: NOW };
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const logger = createLogger('warn', sink);
  const renderLog = new RenderLog(storage.renderLog, { flushIntervalMs: 60_000, logger });
  const locks = new BlockLocks(storage.locks, { logger });
  const metrics = createMetrics();
  const drawn: ShownView[] = [];
  const keys = new Map<string, { key: string; record: ReturnType<typeof generateApiKey>['record'] }>();
  const allScopes: ApiScope[] = ['products:write', 'products:read', 'subscribers:write', 'subscribers:read', 'events:write', 'reports:read'];
  for (const scopes of [allScopes, ['products:write'] as ApiScope[]]) {
    keys.set(scopes.join('+'), generateApiKey(`k${keys.size}`, scopes));
  }
  const draw = options.draw ?? drawBlock;
  // Demo pictures are drawn in-process; on a loaded machine that can take longer than the server's 300 ms wait,
  // which would draw a placeholder and change a picture's bytes between two opens. No test here is about that wait.
  const imageLoader = createImageLoader({ publicUrl: 'https://opentime.test', logger, timeoutMs: 60_000 });
  const app = createApp({
    storage,
    blocks,
    keyring,
    tokenAudience: AUDIENCE,
    globalAllowlist: SenderAllowlist.parse([SENDER]),
    logger,
    now: () => clock.now,
    publicUrl: 'https://opentime.test',
    imageLoader,
    renderLog: options.renderLogOff ? null : renderLog,
    locks,
    metrics,
    metricsToken: options.metricsToken,
    relayRanges: AppleRelayRanges.of(RELAY_SAMPLE),
    // Tests name the peer with X-Forwarded-For, as a reverse proxy would.
    trustProxy: true,
    api: { keys: new ApiKeyring([...keys.values()].map((entry) => entry.record)) },
    drawBlock: (view, theme, drawOptions) => {
      drawn.push(view);
      return draw(view, theme, drawOptions);
    },
  });
  const token = (subscriberId: string, campaignId = 'flash-sale'): string =>
    signSubscriberToken(keyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: clock.now });
  return {
    app,
    storage,
    db,
    blocks,
    clock,
    renderLog,
    locks,
    metrics,
    drawn,
    apiKey: (scopes = allScopes) => {
      const entry = keys.get(scopes.join('+'));
      if (!entry) throw new Error(`no test key with scopes ${scopes.join('+')}`);
      return entry.key;
    },
    token,
    async json(blockId, subscriberId, campaignId) {
      const response = await request(app).get(`/amp/v1/blocks/${blockId}?t=${token(subscriberId, campaignId)}`).set('AMP-Email-Sender', SENDER);
      if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${response.text}`);
      return response.body.items[0] as Record<string, any>;
    },
    async image(blockId, subscriberId, client = { userAgent: APPLE_MAIL_MAC, address: '198.51.100.20' }, campaignId) {
      let call = request(app).get(`/img/v1/blocks/${blockId}.png?t=${token(subscriberId, campaignId)}`);
      if (client.userAgent !== undefined) call = call.set('User-Agent', client.userAgent);
      if (client.address !== undefined) call = call.set('X-Forwarded-For', client.address);
      const response = await call;
      if (response.status !== 200) throw new Error(`expected 200, got ${response.status}`);
      return response;
    },
    async flush() {
      await Promise.all([renderLog.flush(), locks.flush()]);
    },
    async close() {
      await Promise.all([renderLog.close(), locks.close()]);
      imageLoader.close();
      db.close();
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StoredRender {
  subscriber_id: string;
  block_id: string;
  surface: string;
  client: string;
  prefetch: number;
  variant: string | null;
  outcome: string;
  locked: number;
  item_ids: string;
}

/** Rows of the render log as stored, oldest first. */
export function renderRows(fx: RecordingApp): StoredRender[] {
  return fx.db
    .prepare('SELECT subscriber_id, block_id, surface, client, prefetch, variant, outcome, locked, item_ids FROM render_log ORDER BY id')
    .all() as StoredRender[];
}
