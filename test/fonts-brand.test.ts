/**
 * Brand fonts (theme.fonts, render/brand-fonts.ts): font files named in a
 * block's theme, relative to the blocks config file, registered at start-up;
 * a missing, unreadable or broken file stops start-up naming the config file,
 * the block, the path in it and the font file; and text drawn in the brand
 * family differs from the bundled fonts'.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { PNG } from 'pngjs';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { ConfigError } from '../src/config';
import type { BannerView } from '../src/kinds/banner';
import { registerBundledFonts } from '../src/render/fonts';
import { RenderPool } from '../src/render/render-pool';
import { renderPng } from '../src/render/render-worker';
import { measure } from '../src/render/text';
import { resolveTheme, type Theme } from '../src/render/theme';
import { blockKinds } from '../src/kinds/registry';

const FONT_PACKAGE_FILES = path.join(path.dirname(require.resolve('@fontsource/dm-serif-display/package.json')), 'files');
const BRAND_FONT = path.join(FONT_PACKAGE_FILES, 'dm-serif-display-latin-400-normal.woff2');

let dir: string;
beforeAll(() => {
  registerBundledFonts();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-brand-fonts-'));
  fs.mkdirSync(path.join(dir, 'fonts'));
  fs.copyFileSync(BRAND_FONT, path.join(dir, 'fonts', 'brand.woff2'));
  fs.writeFileSync(path.join(dir, 'fonts', 'broken.woff2'), 'not a font at all');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A blocks config file in the temporary folder whose one banner's theme is `theme` (YAML flow text). */
function configWith(theme: string): string {
  const file = path.join(dir, `blocks-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, `blocks:\n  - id: welcome\n    kind: banner\n    defaultUrl: https://shop.example/\n    theme: ${theme}\n`);
  return file;
}

test('a brand font file relative to the config file is registered at start-up and becomes the theme font', () => {
  const file = configWith('{ fonts: [{ family: Brand Serif, file: fonts/brand.woff2 }], fontFamily: Brand Serif }');
  const theme = loadBlocksConfig(file).get('welcome')!.theme;
  expect(theme.fontFamily).toBe('Brand Serif');
  expect(theme.fonts).toEqual([{ family: 'Brand Serif', file: path.join(dir, 'fonts', 'brand.woff2') }]);

  // Registered: the brand family measures differently from Inter, the bundled font.
  const ctx = createCanvas(10, 10).getContext('2d');
  const style = { size: 30, color: '#000', family: 'Brand Serif' };
  expect(measure(ctx, 'Welcome back, Lena', 30, style)).not.toBeCloseTo(measure(ctx, 'Welcome back, Lena', 30, { ...style, family: 'Inter' }), 0);
});

test('a brand font may be a file of an installed npm package; a package that is not installed stops start-up', () => {
  const shipped = configWith('{ fonts: [{ family: Brand Serif, package: "@fontsource/dm-serif-display", file: files/dm-serif-display-latin-400-normal.woff2 }], fontFamily: Brand Serif }');
  expect(loadBlocksConfig(shipped).get('welcome')!.theme.fonts).toEqual([{ family: 'Brand Serif', file: BRAND_FONT }]);
  const absent = configWith('{ fonts: [{ family: Brand Serif, package: "@fontsource/no-such-font", file: files/a.woff2 }] }');
  expect(() => loadBlocksConfig(absent)).toThrow(/theme\.fonts\[0\]\.package: npm package "@fontsource\/no-such-font" is not installed; expected a package that ships the font file/);
});

test('a missing brand font stops start-up, naming the config file, the block, the path and the font file', () => {
  const file = configWith('{ fonts: [{ family: Brand Serif, file: fonts/missing.woff2 }], fontFamily: Brand Serif }');
  expect(() => loadBlocksConfig(file)).toThrow(ConfigError);
  const missing = path.join(dir, 'fonts', 'missing.woff2');
  expect(() => loadBlocksConfig(file)).toThrow(`${file}: blocks[0] (id "welcome"): invalid theme:\n  - theme.fonts[0].file: font file ${missing} does not exist; expected a readable .ttf, .otf, .woff, .woff2 file`);
});

test('a file that is not a font, or not a font format, stops start-up saying so', () => {
  const broken = configWith('{ fonts: [{ family: Brand Serif, file: fonts/broken.woff2 }] }');
  expect(() => loadBlocksConfig(broken)).toThrow(/theme\.fonts\[0\]\.file: .*broken\.woff2 could not be read as a font/);
  const notAFont = configWith(`{ fonts: [{ family: Brand Serif, file: ${path.basename(broken)} }] }`);
  expect(() => loadBlocksConfig(notAFont)).toThrow(/theme\.fonts\[0\]\.file: .*\.yaml is not a font file: expected one of \.ttf, \.otf, \.woff, \.woff2/);
});

test('the theme font must be bundled or declared in theme.fonts; a brand family may not take a bundled name', () => {
  expect(() => loadBlocksConfig(configWith('{ fontFamily: Brand Serif }'))).toThrow(
    /theme\.fontFamily: expected one of the bundled fonts: "Inter", "Noto Sans"; received "Brand Serif"\. A brand font is declared in theme\.fonts first/,
  );
  expect(() => loadBlocksConfig(configWith('{ fonts: [{ family: Brand Serif, file: fonts/brand.woff2 }], fontFamily: Brand Sans }')))
    .toThrow(/theme\.fontFamily: expected one of the bundled fonts: "Inter", "Noto Sans" or of theme\.fonts: "Brand Serif"; received "Brand Sans"/);
  expect(() => loadBlocksConfig(configWith('{ fonts: [{ family: Inter, file: fonts/brand.woff2 }] }'))).toThrow(
    /theme\.fonts\[0\]\.family: expected a family name other than the bundled "Inter", "Noto Sans"; received "Inter"/,
  );
  expect(() => loadBlocksConfig(configWith('{ fonts: [{ family: "Brand\\", x", file: fonts/brand.woff2 }] }'))).toThrow(/family name of letters, digits, spaces/);
});

test('a render thread registers the brand fonts itself: its banner is in the brand font, not Inter', async () => {
  // A family this process has not registered: only the thread's own registration can make it draw.
  const inter = resolveTheme({}, blockKinds.banner.theme, 'test');
  const brand: Theme = { ...inter, fonts: [{ family: 'Thread Serif', file: BRAND_FONT }], fontFamily: 'Thread Serif' };
  const view: BannerView = { kind: 'banner', headline: 'Welcome back, Lena', subline: 'Good to see you again.', cta: { label: 'Shop now', url: 'https://shop.example/' }, image: null };
  const pixels = (png: Buffer): Buffer => PNG.sync.read(png).data;
  const here = (theme: Theme) => renderPng({ view, theme, scale: 1, rect: null }, new Map()).then(pixels);
  // The compiled worker (dist/, which npm test builds first): a thread of its own, as in production.
  const pool = new RenderPool({ threads: 1 });
  try {
    expect(pool.threaded).toBe(true);
    const fromThread = pixels(await pool.drawPng({ view, theme: brand, scale: 1, rect: null, pictures: [] }, new Map()));
    expect(fromThread.equals(await here(inter))).toBe(false);
    expect(fromThread.equals(await here(brand))).toBe(true);
  } finally {
    await pool.close();
  }
});
