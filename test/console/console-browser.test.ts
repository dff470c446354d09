import type { Browser, Page } from 'playwright-core';
import { launchBrowser, reloadUntil } from '../helpers/browser';
import { CONSOLE_SENDER, startConsoleServer, type ConsoleServer } from '../helpers/console-server';

/**
 * The console in Debian's chromium against the real server (main.ts), not
 * demo mode: sign in (and a key without the console scope refused), the
 * campaigns and blocks lists, a subscriber's timeline after a real open and
 * click, and the report's chart. Waits for what the page shows, never a
 * fixed time; the render log reaches the database about a second after an
 * open, so the timeline is reloaded until it shows it.
 */
describe('the console in a browser', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signInWith(key: string): Promise<void> {
    await page.fill('#key', key);
    await Promise.all([page.waitForLoadState('load'), page.click('form button[type="submit"]')]);
  }

  test('signing in: a key without the console scope is refused with the reason, a console key opens the campaigns', async () => {
    await page.goto(`${server.url}/console/campaigns`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await signInWith(server.keys.reportsOnly);
    await page.waitForSelector('text=The key "analyst" lacks the console scope');
    await signInWith(server.keys.console);
    await page.waitForURL(`${server.url}/console/campaigns`);
    await page.waitForSelector('tr[data-campaign="flash-sale"]');
    expect(await page.textContent('tr[data-campaign="flash-sale"]')).toContain('Flash Sale');
    expect(await page.textContent('header')).toContain('Key ops');
  }, 60_000);

  test('the blocks list shows each block with its kind, the experiment arms and the lock', async () => {
    await page.click('nav >> text=Blocks');
    await page.waitForSelector('section[data-block="picks"]');
    const picks = await page.textContent('section[data-block="picks"]');
    expect(picks).toContain('recommendations');
    expect(picks).toContain('holdout');
    expect(picks).toContain('80');
    expect(await page.textContent('section[data-block="hero-product"]')).toContain('locks at first open');
  }, 60_000);

  test("a subscriber's timeline shows a real open and click; the report draws them as bars", async () => {
    const token = server.token('sub-emma');
    const image = await fetch(`${server.url}/img/v1/blocks/picks.png?t=${token}`, { headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Thunderbird/128.0' } });
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
    const json = await fetch(`${server.url}/amp/v1/blocks/picks?t=${token}`, { headers: { 'AMP-Email-Sender': CONSOLE_SENDER } });
    expect(json.status).toBe(200);
    const click = await fetch(`${server.url}/c/v1/blocks/picks/0?t=${token}`, { redirect: 'manual' });
    expect(click.status).toBe(302);

    await page.goto(`${server.url}/console/timeline?campaign=flash-sale&subscriber=Emma`);
    await Promise.all([page.waitForLoadState('load'), page.click('a:has-text("Emma")')]);
    await reloadUntil(page, 'li[data-event="click"]');
    await reloadUntil(page, 'li[data-event="render"] >> text=AMP JSON');
    const timeline = await page.textContent('ol.timeline');
    expect(timeline).toContain('Image');
    expect(timeline).toContain('human');
    expect(timeline).toMatch(/arm (live|holdout)/);
    expect(timeline).toContain('slot 0');

    await page.click('nav >> text=Reports');
    await page.selectOption('#campaign', 'flash-sale');
    await page.waitForSelector('#ctr-chart rect.bar');
    expect(await page.locator('#ctr-chart rect.bar').count()).toBeGreaterThan(0);
    expect(await page.locator('#ctr-chart line.whisker').count()).toBeGreaterThan(0);
    expect(await page.textContent('#ctr-chart title')).toContain('Click-through rate per block and arm');
    expect(await page.textContent('main')).toContain('Block picks');
  }, 90_000);
});
