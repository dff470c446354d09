import type { Browser, Page } from 'playwright-core';
import { FIXED_NOW } from '../helpers/app-fixture';
import { launchBrowser } from '../helpers/browser';
import { startConsoleServer, type ConsoleServer } from '../helpers/console-server';

/**
 * The preview page in a real browser (README "Preview"): sign in with a
 * console key, preview Lena's flash-sale email at a fixed moment, see the
 * block's JSON strings and its picture, then move the moment past the
 * deadline (2026-11-25T10:00Z) and see the expired state.
 */
describe('console preview page', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startConsoleServer({ seededAt: FIXED_NOW }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('sign in, preview a subscriber at a moment, then past the deadline', async () => {
    await page.goto(`${server.url}/console/preview`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await page.fill('#key', server.keys.console);
    await Promise.all([page.waitForURL(/\/console\/preview/), page.click('button[type="submit"]')]);

    // Lena by name, at 11:00 in Berlin on 22 November: three days before the end.
    await page.selectOption('#campaign', 'flash-sale');
    await page.fill('#subscriber', 'Len');
    // As the name is typed, the datalist offers the subscribers the search finds.
    await page.waitForSelector('#subscriber-matches option[value="sub-lena"]', { state: 'attached' });
    await page.fill('#subscriber', 'Lena');
    await page.fill('#moment', '2026-11-22T11:00:00');
    await page.selectOption('#zone', 'Europe/Berlin');
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Preview")')]);
    await page.waitForSelector('[data-json="flash-countdown"]');

    const countdown = page.locator('[data-json="flash-countdown"]');
    await expect(countdown.textContent()).resolves.toContain('"headline": "Sale endet in"');
    await expect(countdown.textContent()).resolves.toContain('"text": "3 Tage 00:00:00"');
    await expect(page.locator('[data-json="picks"]').textContent()).resolves.toContain('Für dich ausgewählt, Lena');
    await expect(page.locator('#moment-shown').textContent()).resolves.toContain('22 Nov 2026, 11:00:00');
    const image = page.locator('img[data-image="flash-countdown"]');
    await image.scrollIntoViewIfNeeded();
    // This file has no DOM types: the page's document is reached through globalThis.
    type Images = { document: { querySelector(selector: string): { complete: boolean } | null } };
    await page.waitForFunction((selector) => (globalThis as unknown as Images).document.querySelector(selector)?.complete === true, 'img[data-image="flash-countdown"]');
    expect(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await expect(page.locator('#amp-disclaimer').textContent()).resolves.toContain("it is not Gmail's renderer");
    const amp = page.frameLocator('iframe[data-frame="amp"]');
    // The running countdown ticks through amp-anim; the preview shows its placeholder, the JSON's figures, and hides its fallback.
    await expect(amp.locator('amp-anim [placeholder] .cd-headline').textContent()).resolves.toBe('Sale endet in');
    await expect(amp.locator('amp-anim [fallback]').isVisible()).resolves.toBe(false);
    await expect(page.locator('[data-verdict="pass"]').count()).resolves.toBe(1);

    // A day after the deadline: the expired state, in the JSON and in the AMP part.
    await page.fill('#moment', '2026-11-26T09:00:00');
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Preview")')]);
    await page.waitForSelector('[data-json="flash-countdown"]');
    const expired = await page.locator('[data-json="flash-countdown"]').textContent();
    expect(expired).toContain('"state": "expired"');
    expect(expired).toContain('"headline": "Der Sale ist vorbei"');
    await expect(page.frameLocator('iframe[data-frame="amp"]').locator('.cd-headline').textContent()).resolves.toBe('Der Sale ist vorbei');
  }, 120_000);
});
