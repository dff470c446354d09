/**
 * The shipped HTML parts on a phone and on a desktop, in Chromium (README "Phones"): each template
 * filled in for one subscriber as `opentime email` does (email/compose.ts), its pictures drawn by
 * the server with a draw log, shown at 375 and 600 CSS px wide.
 *
 * At 375 px every picture shown is the narrow one (`?layout=narrow`, picked by the media query) and
 * no text is under 12 CSS px: in a picture, its smallest drawn font × the width it is shown at ÷
 * the width it was drawn at; in the HTML, the computed font size. At 600 px the wide pictures are
 * shown, each at the width it was drawn at.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { instantiateParts } from '../src/email/compose';
import { loadTemplate } from '../src/email/templates';
import { isBlockView } from '../src/kinds/kind-of-view';
import { drawBlock } from '../src/render/draw-block';
import { DrawLog } from '../src/render/draw-log';
import { launchBrowser } from './helpers/browser';
import { createImageApp, type ImageApp } from './helpers/image-app';

/** What the server drew for one (block, layout): the smallest font of any drawing, and the drawing's width. */
interface Drawn {
  smallestFont: number;
  width: number;
}

interface ShownImage {
  src: string;
  shown: boolean;
  displayedWidth: number;
  naturalWidth: number;
}

const TEMPLATES: readonly { name: string; subscriber: string }[] = [
  { name: 'flash-sale', subscriber: 'sub-emma' },
  { name: 'loyalty-update', subscriber: 'sub-lena' },
  { name: 'style-survey', subscriber: 'sub-emma' },
  { name: 'welcome', subscriber: 'sub-emma' },
];

let fx: ImageApp;
let server: http.Server;
let base: string;
let browser: Browser;
const drawn = new Map<string, Drawn>();

beforeAll(async () => {
  fx = await createImageApp({
    draw: (view, theme, options) => {
      const log = new DrawLog();
      const canvas = drawBlock(view, theme, { ...options, drawLog: log });
      const key = `${isBlockView(view) ? view.kind : 'fallback'}|${theme.layout ?? 'wide'}`;
      const before = drawn.get(key);
      drawn.set(key, { smallestFont: Math.min(before?.smallestFont ?? Infinity, log.smallestSize()), width: theme.width });
      return canvas;
    },
  });
  server = http.createServer(fx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await fx?.close();
});

async function openAt(template: string, subscriber: string, width: number): Promise<{ images: ShownImage[]; htmlFonts: { text: string; size: number }[] }> {
  const parts = instantiateParts({ template: loadTemplate(template), baseUrl: base, token: fx.token(subscriber, template) });
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  try {
    await page.setContent(parts.html, { waitUntil: 'load', timeout: 120_000 });
    // A script, not a function: its DOM types are the browser's, not this Node project's.
    return await page.evaluate<{ images: ShownImage[]; htmlFonts: { text: string; size: number }[] }>(`(() => {
      const images = [...document.images]
        .filter((image) => image.src.includes('/img/v1/blocks/'))
        .map((image) => ({ src: image.src, shown: image.getClientRects().length > 0, displayedWidth: image.getBoundingClientRect().width, naturalWidth: image.naturalWidth }));
      const htmlFonts = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        const text = (node.textContent || '').trim();
        if (!parent || text === '' || parent.getClientRects().length === 0) continue;
        htmlFonts.push({ text, size: parseFloat(getComputedStyle(parent).fontSize) });
      }
      return { images, htmlFonts };
    })()`);
  } finally {
    await page.close();
  }
}

/** The drawing behind a picture URL, and the CSS width that picture was drawn at (its pixels ÷ its scale). */
function drawingOf(image: ShownImage): { layout: string; drawn: Drawn; drawnWidth: number } {
  const url = new URL(image.src);
  const blockId = /\/img\/v1\/blocks\/([a-z0-9-]+)/.exec(url.pathname)?.[1] ?? '';
  const kind = fx.blocks.get(blockId)?.kind.name ?? 'fallback';
  const layout = url.searchParams.get('layout') === 'narrow' ? 'narrow' : 'wide';
  const drawnAt = drawn.get(`${kind}|${layout}`);
  if (!drawnAt) throw new Error(`nothing was drawn for ${image.src}`);
  const scale = Number(url.searchParams.get('scale') ?? '1') >= 1.5 ? 2 : 1;
  return { layout, drawn: drawnAt, drawnWidth: image.naturalWidth / scale };
}

describe.each(TEMPLATES)('$name', ({ name, subscriber }) => {
  test('on a 375-px phone: only narrow pictures are shown, and no text is under 12 CSS px', async () => {
    const { images, htmlFonts } = await openAt(name, subscriber, 375);
    const shown = images.filter((image) => image.shown);
    expect(shown.length).toBeGreaterThan(0);
    const readable = shown.map((image) => {
      const { layout, drawn: drawing, drawnWidth } = drawingOf(image);
      return { src: image.src.replace(/[?&]t=[^&]*/, ''), layout, smallestShownFont: Math.round(((drawing.smallestFont * image.displayedWidth) / drawnWidth) * 10) / 10 };
    });
    expect(readable.filter((image) => image.layout !== 'narrow')).toEqual([]);
    expect(readable.filter((image) => image.smallestShownFont < 12)).toEqual([]);
    expect(htmlFonts.filter((font) => font.size < 12)).toEqual([]);
  }, 180_000);

  test('on a 600-px screen: only the wide pictures are shown, at the width they were drawn at', async () => {
    const { images } = await openAt(name, subscriber, 600);
    const shown = images.filter((image) => image.shown);
    expect(shown.length).toBeGreaterThan(0);
    for (const image of shown) {
      const { layout, drawnWidth } = drawingOf(image);
      expect({ src: image.src, layout }).toEqual({ src: image.src, layout: 'wide' });
      expect(Math.abs(image.displayedWidth - drawnWidth)).toBeLessThan(1);
    }
  }, 180_000);
});
