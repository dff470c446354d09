import { Writable } from 'node:stream';
import path from 'node:path';
import { createApp, type OpentimeApp } from '../../src/app';
import { loadBlocksConfig, type BlockCatalog } from '../../src/blocks/blocks-config';
import { CachedStore } from '../../src/data/cached-store';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { SqliteStore } from '../../src/data/sqlite-store';
import type { Store } from '../../src/data/store';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import { Keyring } from '../../src/tokens/keyring';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';

/** The moment every fixture open happens at, unless a test moves the clock. */
export const FIXED_NOW = new Date('2026-11-22T10:00:00.000Z');
export const AUDIENCE = 'opentime-test';
export const SENDER = 'news@shop.example';
export const DEMO_BLOCKS_FILE = path.join(__dirname, '..', '..', 'config', 'blocks.yaml');

export const testKeyring = new Keyring({
  keys: [{ kid: 'test-1', secret: Buffer.alloc(32, 7).toString('base64url') }],
  activeKid: 'test-1',
});

export interface Fixture {
  app: OpentimeApp;
  store: CachedStore;
  sqlite: SqliteStore;
  blocks: BlockCatalog;
  clock: { now: Date };
  logLines: () => string[];
  token(subscriberId: string, campaignId?: string, options?: { ttlSeconds?: number; now?: Date }): string;
  close(): Promise<void>;
}

/**
 * A real app on a real (in-memory) SQLite seeded with the demo dataset at
 * FIXED_NOW. `wrapStore` lets a test put a failing store in front.
 */
export async function createFixture(options: { blocks?: BlockCatalog; wrapStore?: (store: Store) => Store; freshnessMs?: number } = {}): Promise<Fixture> {
  const sqlite = SqliteStore.open(':memory:');
  const store = new CachedStore(sqlite, { freshnessMs: options.freshnessMs ?? 1000 });
  await seedDemoDataIfEmpty(store, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
  const blocks = options.blocks ?? loadBlocksConfig(DEMO_BLOCKS_FILE);
  const clock = { now: FIXED_NOW };
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const app = createApp({
    store: options.wrapStore ? options.wrapStore(store) : store,
    blocks,
    keyring: testKeyring,
    tokenAudience: AUDIENCE,
    globalAllowlist: SenderAllowlist.parse([SENDER]),
    logger: createLogger('info', sink),
    now: () => clock.now,
  });
  return {
    app,
    store,
    sqlite,
    blocks,
    clock,
    logLines: () => lines,
    token: (subscriberId, campaignId = 'flash-sale', tokenOptions = {}) =>
      signSubscriberToken(testKeyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: tokenOptions.now ?? clock.now, ttlSeconds: tokenOptions.ttlSeconds }),
    close: () => store.close(),
  };
}
