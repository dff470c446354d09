import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { startServer } from '../src/main';
import { packageRoot } from '../src/package-root';
import { keyringFromConfig } from '../src/tokens/keyring-from-config';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { consoleBlocksYaml } from '../test/helpers/console-blocks';

/**
 * docs/console/<page>-1280.png and -390.png: the console's pages (all but
 * Preview, which scripts/preview-screenshots.ts takes) on the demo server
 * (demo mode in a temporary data directory; the picks run an experiment with
 * a holdout so the report has a lift to draw), after real opens and clicks of
 * the demo subscribers. Debian's chromium; CHROMIUM_PATH overrides.
 * `npm run console:screenshots`.
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
  const config = loadConfig(
    { OPENTIME_DATA_DIR: path.join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', OPENTIME_DEMO: 'true', OPENTIME_BLOCKS: blocksFile, OPENTIME_WORKERS: '1', OPENTIME_LOG_LEVEL: 'silent' },
    dir,
  );
  const running = await startServer(config, createLogger('silent'));
  const url = running.url.replace('localhost', '127.0.0.1');
  const keyring = keyringFromConfig(config);
  const token = (subscriberId: string) => signSubscriberToken(keyring, { subscriberId, campaignId: 'flash-sale' }, { audience: config.tokenAudience });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
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

/** The render log reaches the database a moment after an open: reload until the page shows it. */
async function reloadUntil(page: Page, selector: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.locator(selector).count()) === 0) {
    if (Date.now() > deadline) throw new Error(`"${selector}" did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await page.reload({ waitUntil: 'load' });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
