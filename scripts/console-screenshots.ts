import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { startServer } from '../src/main';
import { packageRoot } from '../src/package-root';
import { keyringFromConfig } from '../src/tokens/keyring-from-config';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { launchBrowser, reloadUntil } from '../test/helpers/browser';
import { consoleBlocksYaml } from '../test/helpers/console-blocks';
import { freePort } from '../test/helpers/processes';

/**
 * docs/console/<page>-1280.png and -390.png: every console page on the demo
 * server (demo mode in a temporary data directory; the picks run an
 * experiment with a holdout so the report has a lift to draw), after real
 * opens and clicks of the demo subscribers. The preview shows Lena's flash
 * sale as of now in Berlin. Debian's chromium (test/helpers/browser.ts;
 * CHROMIUM_PATH overrides). `npm run console:screenshots`.
 */
const SUBSCRIBERS = ['sub-emma', 'sub-oliver', 'sub-lena', 'sub-camille', 'sub-lucia', 'sub-giulia', 'sub-sanne', 'sub-astrid', 'sub-yui', 'sub-rafael', 'sub-layla', 'sub-noah'];
const BLOCKS = ['flash-countdown', 'hero-product', 'picks'];
/** Who clicks what: slot 0 of the picks for some, the hero for others. */
const CLICKS: [string, string][] = [
  ['sub-emma', 'picks'],
  ['sub-lena', 'picks'],
  ['sub-giulia', 'picks'],
  ['sub-yui', 'hero-product'],
  ['sub-astrid', 'picks'],
  ['sub-layla', 'hero-product'],
];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-console-shots-'));
  const blocksFile = path.join(dir, 'blocks.yaml');
  fs.writeFileSync(blocksFile, consoleBlocksYaml());
  // The port is chosen first so the public URL is known before the demo data is seeded: its product pictures
  // (and so the preview's AMP part, which loads them in the browser) point at this server.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    { OPENTIME_DATA_DIR: path.join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1', OPENTIME_PUBLIC_URL: url, OPENTIME_DEMO: 'true', OPENTIME_BLOCKS: blocksFile, OPENTIME_WORKERS: '1', OPENTIME_LOG_LEVEL: 'silent' },
    dir,
  );
  const running = await startServer(config, createLogger('silent'));
  const keyring = keyringFromConfig(config);
  const token = (subscriberId: string) => signSubscriberToken(keyring, { subscriberId, campaignId: 'flash-sale' }, { audience: config.tokenAudience });
  const browser = await launchBrowser();
  try {
    // Every demo subscriber opens the flash sale (pictures; the AMP JSON for every other one), some click.
    for (const [index, subscriberId] of SUBSCRIBERS.entries()) {
      for (const block of BLOCKS) {
        await fetch(`${url}/img/v1/blocks/${block}.png?t=${token(subscriberId)}`, { headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15' } });
        if (index % 2 === 0) await fetch(`${url}/amp/v1/blocks/${block}?t=${token(subscriberId)}`, { headers: { 'AMP-Email-Sender': 'news@shop.example' } });
      }
    }
    for (const [subscriberId, block] of CLICKS) await fetch(`${url}/c/v1/blocks/${block}/0?t=${token(subscriberId)}`, { redirect: 'manual' });

    const pages: [string, string, string?][] = [
      ['campaigns', '/console/campaigns?zone=Europe%2FBerlin'],
      ['blocks', '/console/blocks'],
      ['preview', '/console/preview?campaign=flash-sale&subscriber=sub-lena&zone=Europe%2FBerlin&client=amp', 'img[data-image="flash-countdown"]'],
      ['timeline', '/console/timeline?campaign=flash-sale&subscriber=sub-emma', 'li[data-event="click"]'],
      ['reports', '/console/reports?campaign=flash-sale', '#ctr-chart rect.bar'],
      ['send-test', '/console/send-test?campaign=flash-sale&subscriber=sub-emma'],
      ['sign-in', '/console/sign-in'],
    ];
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      for (const [name, pagePath, waitFor] of pages) {
        await page.goto(`${url}${pagePath}`, { waitUntil: 'load' });
        if (waitFor) await reloadUntil(page, waitFor);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        if (Number(overflow) > 0) process.stderr.write(`warning: ${name} at ${width} px is ${String(overflow)} px wider than the window\n`);
        const file = path.join(packageRoot(), 'docs', 'console', `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
