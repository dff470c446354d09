import { Writable } from 'node:stream';
import request from 'supertest';
import { ApiKeyring, generateApiKey } from '../../src/api/api-keys';
import { createApp, type OpentimeApp } from '../../src/app';
import { consoleBlocks } from './console-blocks';
import type { ConsoleSettings } from '../../src/console/console-context';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import { AUDIENCE, FIXED_NOW, SENDER, testKeyring } from './app-fixture';

/** The console's public URL in these apps: the Origin its forms post from (CSRF check). */
export const CONSOLE_ORIGIN = 'https://console.opentime.test';

/** The whole app with the console on, an in-memory SQLite with the demo data, and keys with and without the `console` scope. */
export interface ConsoleApp {
  app: OpentimeApp;
  storage: Storage;
  clock: { now: Date };
  keys: { console: string; reportsOnly: string };
  /** Another keyring's view: the console key removed from the configuration (same signing keys). */
  withoutConsoleKey(): OpentimeApp;
  token(subscriberId: string, campaignId?: string): string;
  /** "opentime_console=…" of a sign-in with the console key, for supertest's Cookie header. */
  sessionCookie(): Promise<string>;
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
  const blocks = consoleBlocks();
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
      console: { demo: false, publicUrl: CONSOLE_ORIGIN, ...settings },
    });
  const app = build(new ApiKeyring([consoleKey.record, reportsOnly.record]));
  return {
    app,
    storage,
    clock,
    keys: { console: consoleKey.key, reportsOnly: reportsOnly.key },
    withoutConsoleKey: () => build(new ApiKeyring([reportsOnly.record])),
    token: (subscriberId, campaignId = 'flash-sale') => signSubscriberToken(testKeyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: clock.now }),
    sessionCookie: async () => {
      const answer = await request(app).post('/console/sign-in').set('Origin', CONSOLE_ORIGIN).type('form').send({ key: consoleKey.key });
      return String(answer.headers['set-cookie']).split(';')[0] as string;
    },
    logLines: () => lines,
    close: () => storage.close(),
  };
}
