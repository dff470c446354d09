import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createApp, type OpentimeApp } from '../src/app';
import { ApiKeyring } from '../src/api/api-keys';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import { createLogger } from '../src/log';
import { packageRoot } from '../src/package-root';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { Keyring } from '../src/tokens/keyring';

/**
 * docs/console/preview-1280.png and preview-390.png: the console's Preview
 * page for Lena in the flash sale, on the demo data, in Debian's chromium
 * (CHROMIUM_PATH overrides). `npm run build && node dist/scripts/preview-screenshots.js`.
 */
async function main(): Promise<void> {
  let app: OpentimeApp | undefined;
  const server = http.createServer((req, res) => app?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = new Date('2026-11-22T10:00:00.000Z');
  const storage = openSqliteStorage(':memory:');
  await seedDemoDataIfEmpty(storage, { baseUrl: url, now });
  app = createApp({
    storage,
    blocks: loadBlocksConfig(path.join(packageRoot(), 'config', 'blocks.yaml')),
    keyring: new Keyring({ keys: [{ kid: 'shots', secret: Buffer.alloc(32, 3).toString('base64url') }], activeKid: 'shots' }),
    tokenAudience: 'opentime-screenshots',
    globalAllowlist: SenderAllowlist.parse(['news@shop.example']),
    logger: createLogger('warn'),
    now: () => now,
    publicUrl: url,
    renderLog: null,
    api: { keys: new ApiKeyring([]) },
    // Demo mode: the loopback browser is let in without a key.
    console: { demo: true, publicUrl: url },
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`${url}/console/preview?campaign=flash-sale&subscriber=sub-lena&moment=2026-11-22T11%3A00%3A00&zone=Europe%2FBerlin&client=amp`);
      await page.waitForLoadState('networkidle');
      const file = path.join(packageRoot(), 'docs', 'console', `preview-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
    await storage.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
