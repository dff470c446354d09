import { Writable } from 'node:stream';
import path from 'node:path';
import { createApp, type OpentimeApp } from '../../src/app';
import { loadBlocksConfig, type BlockCatalog } from '../../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { loadFormsConfig } from '../../src/forms/forms-config';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import { withCatalogueCache } from '../../src/storage/cache/with-catalogue-cache';
import type { CatalogueReader } from '../../src/storage/ports/catalogue-reader';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { Keyring } from '../../src/tokens/keyring';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';

/** The moment every fixture open happens at, unless a test moves the clock. */
export const FIXED_NOW = new Date('2026-11-22T10:00:00.000Z');
export const AUDIENCE = 'opentime-test';
export const SENDER = 'news@shop.example';
export const DEMO_BLOCKS_FILE = path.join(__dirname, '..', '..', 'config', 'blocks.yaml');
/** The demo forms, as the server loads them by default: the demo's poll-results block reads its poll there. */
export const DEMO_FORMS_FILE = path.join(__dirname, '..', '..', 'config', 'forms.yaml');

export const testKeyring = new Keyring({
  keys: [{ kid: 'test-1', secret: Buffer.alloc(32, 7).toString('base64url') }],
  activeKid: 'test-1',
});

export interface Fixture {
  app: OpentimeApp;
  /** What the app runs on: the in-memory database behind the catalogue cache. */
  storage: Storage;
  blocks: BlockCatalog;
  clock: { now: Date };
  logLines: () => string[];
  token(subscriberId: string, campaignId?: string, options?: { ttlSeconds?: number; now?: Date }): string;
  close(): Promise<void>;
}

/**
 * A real app on a real (in-memory) SQLite seeded with the demo dataset at
 * FIXED_NOW. `wrapCatalogue` lets a test put a failing catalogue in front of
 * what opens read.
 */
export async function createFixture(
  options: { blocks?: BlockCatalog; wrapCatalogue?: (catalogue: CatalogueReader) => CatalogueReader; freshnessMs?: number } = {},
): Promise<Fixture> {
  const storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: options.freshnessMs ?? 1000 });
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
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
    storage,
    openCatalogue: options.wrapCatalogue?.(storage.catalogue),
    blocks,
    forms: loadFormsConfig(DEMO_FORMS_FILE),
    keyring: testKeyring,
    tokenAudience: AUDIENCE,
    globalAllowlist: SenderAllowlist.parse([SENDER]),
    logger: createLogger('info', sink),
    now: () => clock.now,
  });
  return {
    app,
    storage,
    blocks,
    clock,
    logLines: () => lines,
    token: (subscriberId, campaignId = 'flash-sale', tokenOptions = {}) =>
      signSubscriberToken(testKeyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: tokenOptions.now ?? clock.now, ttlSeconds: tokenOptions.ttlSeconds }),
    close: () => storage.close(),
  };
}
