import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * A real browser for the console's tests and screenshots: Debian's chromium
 * through playwright-core, headless, with the flags a container needs.
 * `CHROMIUM_PATH` overrides where it is.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Reloads until `selector` is on the page: what the render log holds appears a moment after the request that wrote it. */
export async function reloadUntil(page: Page, selector: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.locator(selector).count()) === 0) {
    if (Date.now() > deadline) throw new Error(`"${selector}" did not appear within ${timeoutMs} ms`);
    // A short pause between reloads, so a loaded machine is not kept busy by the polling itself.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await page.reload({ waitUntil: 'load' });
  }
}
