import { Writable } from 'node:stream';
import { ApiKeyring, generateApiKey } from '../../src/api/api-keys';
import { createApp, type OpentimeApp } from '../../src/app';
import { loadBlocksConfig } from '../../src/blocks/blocks-config';
import type { ConsoleSettings } from '../../src/console/console-context';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import { AUDIENCE, DEMO_BLOCKS_FILE, FIXED_NOW, SENDER, testKeyring } from './app-fixture';

/** The whole app with the console on, an in-memory SQLite with the demo data, and keys with and without the `console` scope. */
export interface ConsoleApp {
  app: OpentimeApp;
  storage: Storage;
  clock: { now: Date };
  keys: { console: string; reportsOnly: string };
  /** Another keyring's view: the console key removed from the configuration (same signing keys). */
  withoutConsoleKey(): OpentimeApp;
  token(subscriberId: string, campaignId?: string): string;
  logLines(): string[];
  close(): Promise<void>;
}

export async function createConsoleApp(settings: Partial<ConsoleSettings> = {}): Promise<ConsoleApp> {
  const storage = openSqliteStorage(':memory:');
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
  const consoleKey = generateApiKey('ops', ['console']);
  const reportsOnly = generateApiKey('analyst', ['reports:read']);
  const clock = { now: FIXED_NOW };
  const lines: string[] = [];
  const logger = createLogger('warn', new Writable({ write: (chunk: Buffer, _encoding, callback) => (lines.push(chunk.toString('utf8')), callback()) }));
  const blocks = loadBlocksConfig(DEMO_BLOCKS_FILE);
  const build = (keys: ApiKeyring): OpentimeApp =>
    createApp({
      storage,
      blocks,
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger,
      now: () => clock.now,
      renderLog: null,
      api: { keys },
      console: { demo: false, publicUrl: 'https://console.opentime.test', ...settings },
    });
  return {
    app: build(new ApiKeyring([consoleKey.record, reportsOnly.record])),
    storage,
    clock,
    keys: { console: consoleKey.key, reportsOnly: reportsOnly.key },
    withoutConsoleKey: () => build(new ApiKeyring([reportsOnly.record])),
    token: (subscriberId, campaignId = 'flash-sale') => signSubscriberToken(testKeyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: clock.now }),
    logLines: () => lines,
    close: () => storage.close(),
  };
}
