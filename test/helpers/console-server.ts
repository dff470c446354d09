import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatApiKeyRecord, generateApiKey } from '../../src/api/api-keys';
import { loadConfig } from '../../src/config';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { createLogger } from '../../src/log';
import { startServer, type RunningServer } from '../../src/main';
import { openStorage } from '../../src/storage/open-storage';
import { Keyring } from '../../src/tokens/keyring';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import { consoleBlocksYaml } from './console-blocks';
import { freePort } from './processes';

export const CONSOLE_SENDER = 'news@shop.example';

export interface ConsoleServer {
  /** http://127.0.0.1:<port>, also the server's public URL. */
  url: string;
  keys: { console: string; reportsOnly: string };
  /** A subscriber token for the server's signing key, as an email would carry it. */
  token(subscriberId: string, campaignId?: string): string;
  close(): Promise<void>;
}

/**
 * The real server (main.ts startServer, as `npm start` runs it) in this
 * process on a free loopback port, with a temporary data directory seeded
 * with the demo data, its own signing key, and two API keys: one with the
 * `console` scope and one without. Not demo mode, so the console asks to
 * sign in. The blocks config is the demo one with an experiment and a lock
 * (helpers/console-blocks.ts). The demo deadlines are placed relative to
 * `seededAt` (default now): a test that previews fixed moments seeds at
 * FIXED_NOW, so the flash sale ends 2026-11-25T10:00Z.
 */
export async function startConsoleServer(options: { seededAt?: Date } = {}): Promise<ConsoleServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-console-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const secret = randomBytes(32).toString('base64url');
  const consoleKey = generateApiKey('ops', ['console']);
  const reportsOnly = generateApiKey('analyst', ['reports:read']);
  const blocksFile = path.join(dir, 'blocks.yaml');
  fs.writeFileSync(blocksFile, consoleBlocksYaml());
  const env: NodeJS.ProcessEnv = {
    OPENTIME_DATA_DIR: path.join(dir, 'data'),
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENTIME_PUBLIC_URL: url,
    OPENTIME_DEMO: 'false',
    OPENTIME_SIGNING_KEYS: `console-test:${secret}`,
    OPENTIME_API_KEYS: [consoleKey.record, reportsOnly.record].map(formatApiKeyRecord).join(','),
    OPENTIME_BLOCKS: blocksFile,
    OPENTIME_ALLOWED_SENDERS: CONSOLE_SENDER,
    OPENTIME_WORKERS: '1',
    OPENTIME_RENDER_THREADS: '1',
    OPENTIME_LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env, dir);
  // The demo catalogue, written as an import would, before the server opens the database.
  fs.mkdirSync(config.dataDir, { recursive: true });
  const seeding = await openStorage(config);
  await seedDemoDataIfEmpty(seeding, { baseUrl: url, now: options.seededAt ?? new Date() });
  await seeding.close();
  const running: RunningServer = await startServer(config, createLogger('silent'));
  const keyring = new Keyring({ keys: [{ kid: 'console-test', secret }], activeKid: 'console-test' });
  return {
    url,
    keys: { console: consoleKey.key, reportsOnly: reportsOnly.key },
    token: (subscriberId, campaignId = 'flash-sale') => signSubscriberToken(keyring, { subscriberId, campaignId }, { audience: config.tokenAudience }),
    close: async () => {
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
