/**
 * The drawing layer: golden images, the draw log (the image shows exactly the
 * view's strings), fitting, fonts and scale.
 *
 * Goldens live in test/golden/<case>.png and are compared with pixelmatch
 * (threshold 0.1, at most 0.5 % of pixels may differ). After an intended change
 * of the look, rewrite them with
 *
 *     UPDATE_GOLDEN=1 npx jest test/render
 *
 * and LOOK at every rewritten image before committing it. A failing comparison
 * writes the actual image and a diff to $TMPDIR/opentime-golden-failures/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { ConfigError } from '../src/config';
import { isBlockView, isViewOf, themeDefaultsOf, type ShownView } from '../src/kinds/kind-of-view';
import { blockKinds, type KindName, type ViewOf } from '../src/kinds/registry';
import { drawBlock, imageUrlsOf } from '../src/render/draw-block';
import { DrawLog } from '../src/render/draw-log';
import { FALLBACK_FONT_FAMILY, FONT_FAMILY, registerBundledFonts, registeredFontFiles } from '../src/render/fonts';
import { drawFigures, textDirection, type TextStyle } from '../src/render/text';
import { layoutTheme } from '../src/render/layout';
import { clampScale, defaultTheme, MAX_PIXEL_AREA, resolveTheme, type Theme } from '../src/render/theme';
import {
  createRenderFixture,
  fakeImages,
  GOLDEN_CASES,
  resolveCase,
  startPixelmatch,
  type GoldenCase,
  type Pixelmatcher,
  type RenderFixture,
} from './helpers/render-fixtures';

const GOLDEN_DIR = path.join(__dirname, 'golden');
const FAILURE_DIR = path.join(os.tmpdir(), 'opentime-golden-failures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const MAX_DIFF_RATIO = 0.005;

let fixture: RenderFixture;
let pixelmatch: Pixelmatcher;
const views = new Map<string, ShownView>();

beforeAll(async () => {
  registerBundledFonts();
  pixelmatch = startPixelmatch();
  fixture = await createRenderFixture();
  // Resolved one after another: some cases change stock or prices and undo it.
  for (const spec of GOLDEN_CASES) views.set(spec.name, await resolveCase(fixture, spec));
});
afterAll(async () => {
  await fixture.close();
  await pixelmatch.close();
});

function render(view: ShownView, options: { theme?: Theme; scale?: number; missingImages?: readonly string[]; log?: DrawLog } = {}) {
  const theme = options.theme ?? defaultTheme(themeDefaultsOf(view));
  const images = fakeImages(imageUrlsOf(view), options.missingImages);
  return drawBlock(view, theme, { scale: options.scale ?? 1, images, ...(options.log ? { drawLog: options.log } : {}) });
}

function viewOf(spec: GoldenCase): ShownView {
  const view = views.get(spec.name);
  if (!view) throw new Error(`no view resolved for ${spec.name}`);
  return view;
}

/** The view a golden case resolved to, which must be of this kind. */
function caseView<Name extends KindName>(caseName: string, kind: Name): ViewOf<Name> {
  const view = viewOf(GOLDEN_CASES.find((spec) => spec.name === caseName) as GoldenCase);
  if (!isViewOf(view, kind)) throw new Error(`${caseName} resolved to a ${String(view.kind)} view, not a ${kind} one`);
  return view;
}


describe('golden images', () => {
  test.each(GOLDEN_CASES.map((spec) => [spec.name, spec] as const))('%s', async (name, spec) => {
    const theme = layoutTheme(viewOf(spec), resolveTheme(spec.theme ?? {}, themeDefaultsOf(viewOf(spec)), spec.name), spec.layout ?? 'wide');
    const actual = render(viewOf(spec), { theme, ...(spec.missingImages ? { missingImages: spec.missingImages } : {}) }).toBuffer('image/png');
    const file = path.join(GOLDEN_DIR, `${name}.png`);
    if (UPDATE) {
      fs.mkdirSync(GOLDEN_DIR, { recursive: true });
      fs.writeFileSync(file, actual);
      return;
    }
    if (!fs.existsSync(file)) throw new Error(`missing golden ${file}: run UPDATE_GOLDEN=1 npx jest test/render, then look at it`);
    const { different, diffPng } = await pixelmatch.compare(fs.readFileSync(file), actual, 0.1);
    const allowed = theme.width * theme.height * MAX_DIFF_RATIO;
    if (different > allowed) {
      fs.mkdirSync(FAILURE_DIR, { recursive: true });
      fs.writeFileSync(path.join(FAILURE_DIR, `${name}.actual.png`), actual);
      fs.writeFileSync(path.join(FAILURE_DIR, `${name}.diff.png`), diffPng);
    }
    expect(different).toBeLessThanOrEqual(allowed);
  });
});

/** View fields that are not shown to the reader: identifiers, links, machine states. */
const NOT_SHOWN = new Set(['id', 'key', 'url', 'image', 'kind', 'state', 'stockState', 'tone', 'deadline', 'category', 'sources']);

/** Every user-visible string of a view, with where it is (for messages). */
function visibleStrings(value: unknown, at = 'view', skip: ReadonlySet<string> = NOT_SHOWN): { at: string; text: string }[] {
  if (typeof value === 'string') return value.trim() ? [{ at, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => visibleStrings(item, `${at}[${index}]`, skip));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (skip.has(key) ? [] : visibleStrings(item, `${at}.${key}`, skip)));
  }
  return [];
}

/** Every string anywhere in a view, shown or not. */
function allStrings(view: ShownView): Set<string> {
  return new Set(visibleStrings(view, 'view', new Set()).map((entry) => entry.text));
}

describe('the image shows the same facts as the JSON (draw log)', () => {
  test.each(GOLDEN_CASES.map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
    const view = viewOf(spec);
    const log = new DrawLog();
    render(view, { log, ...(spec.missingImages ? { missingImages: spec.missingImages } : {}) });
    // The four boxes show the countdown; its one-line `text` is for narrow images (tested below).
    // A kind's own machine fields (a feed's publishedAt and freshness) are the ones it declares notShown.
    const own = isBlockView(view) ? blockKinds[view.kind].notShown : [];
    const skip = new Set([...NOT_SHOWN, ...own, ...(view.kind === 'countdown' ? ['text'] : [])]);
    const missing = visibleStrings(view, 'view', skip).filter((entry) => !log.shows(entry.text));
    expect(missing).toEqual([]);
    // Nothing is drawn that the view does not hold, except the shortened form of a view string.
    const known = allStrings(view);
    expect(log.texts.filter((text) => !known.has(text) && !text.endsWith('…'))).toEqual([]);
    expect(log.shortened).toEqual([]);
    expect(log.images).toEqual(
      imageUrlsOf(view).map((url) => (spec.missingImages?.includes(url) ? `placeholder:${url}` : url)),
    );
  });

  test('a narrow countdown shows the one-line text instead of the boxes', () => {
    const view = caseView('countdown-running-en-US', 'countdown');
    const log = new DrawLog();
    const theme = resolveTheme({ width: 320, height: 220 }, blockKinds.countdown.theme, 'test');
    render(view, { theme, log });
    expect(log.shows(view.text)).toBe(true);
    expect(log.shows(view.headline)).toBe(true);
  });

  test('an unknown kind draws the fallback layout with its headline and button', () => {
    const log = new DrawLog();
    const canvas = render({ kind: 'weather', headline: 'Sunny days ahead', cta: { label: 'Shop summer', url: 'https://shop.example' } }, { log });
    expect(canvas.width).toBe(600);
    expect(log.texts).toEqual(['Sunny days ahead', 'Shop summer']);
  });
});

/** True when no pixel in the columns x ∈ [from, to) differs from the colour. */
function columnsAre(canvas: ReturnType<typeof drawBlock>, from: number, to: number, colour: [number, number, number]): boolean {
  const data = canvas.getContext('2d').getImageData(from, 0, to - from, canvas.height).data;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== colour[0] || data[i + 1] !== colour[1] || data[i + 2] !== colour[2]) return false;
  }
  return true;
}

describe('text that does not fit', () => {
  const productView = (): ViewOf<'product'> => structuredClone(caseView('product-sale-en-US', 'product'));

  test.each([
    ['a very long name', 'Hand-Woven Extra-Large Double-Faced Cashmere and Merino Wool Blanket with Fringed Edges, Heather Grey Melange (Limited Edition)'],
    ['an Arabic name', 'معطف صوفي طويل بأزرار مزدوجة، لون الجمل، إصدار محدود من مجموعة الشتاء الجديدة لهذا العام'],
    ['a Japanese name', 'キルティングジャケット・オリーブ（限定カラー）冬の新作コレクション特別エディション'],
    ['one unbroken word', 'Supercalifragilisticexpialidocious'.repeat(6)],
  ])('%s renders without throwing and stays inside the canvas', (_label, name) => {
    const view = productView();
    view.product.name = name;
    view.product.badge = { text: name, tone: 'info' };
    view.cta.label = name;
    const log = new DrawLog();
    const theme = defaultTheme(blockKinds.product.theme);
    const canvas = render(view, { log });
    expect([canvas.width, canvas.height]).toEqual([600, 300]);
    expect(log.texts).toContain(name);
    // Shortened, not overflowing: the right padding stays empty.
    expect(log.shortened).toContain(name);
    expect(log.texts.some((text) => text.endsWith('…'))).toBe(true);
    expect(columnsAre(canvas, theme.width - theme.padding + 1, theme.width, [255, 255, 255])).toBe(true);
  });

  test('a long headline in every kind stays inside the canvas', () => {
    const long = 'An extraordinarily long headline that no sensible layout could ever fit on a single line of a six hundred pixel image';
    for (const spec of GOLDEN_CASES.filter((c) => /running-en-US|expired-en-US|recommendations-en-US|loyalty-mid-tier-en-US|fallback-default/.test(c.name))) {
      const view: Record<string, unknown> = { ...structuredClone(viewOf(spec)) };
      for (const key of ['headline', 'title', 'greeting', 'message', 'progressText']) if (key in view) view[key] = long;
      const canvas = render(view);
      const background = view.kind === 'fallback' || view.state === 'expired' ? null : ([255, 255, 255] as [number, number, number]);
      if (background) expect(columnsAre(canvas, 600 - 24 + 1, 600, background)).toBe(true);
      expect(canvas.height).toBeGreaterThan(0);
    }
  });
});

describe('figures', () => {
  test('countdown figures keep their width as the digits tick (no jitter between GIF frames)', () => {
    registerBundledFonts();
    const ctx = createCanvas(200, 100).getContext('2d');
    const style: TextStyle = { size: 30, weight: 700, color: '#000', family: FONT_FAMILY };
    const box = { x: 0, y: 0, width: 200, height: 60, align: 'center' as const };
    const widths = (values: string[]) => new Set(values.map((value) => drawFigures(ctx, value, box, style).width));
    expect(widths(['00', '11', '47', '59']).size).toBe(1);
    expect(widths(['٠٠', '١١', '٤٧', '٥٩']).size).toBe(1);
  });
});

describe('direction', () => {
  test.each([
    ['Quilted Jacket, Olive', 'ltr'],
    ['ليلى', 'rtl'],
    ['Hi ليلى, you are a Platinum member', 'ltr'],
    ['\u200f١١٩٫٠٠\u00a0€', 'rtl'],
    ['-٢٥٪\u061c', 'rtl'],
    ['-٢٥٪\u061c today', 'ltr'],
    ['١٥٬٢٠٠ points', 'ltr'],
    ['שלום', 'rtl'],
    ['12:00', 'ltr'],
  ])('%s reads %s', (text, direction) => {
    expect(textDirection(text)).toBe(direction);
  });
});

describe('fonts, scale and theme', () => {
  test('fonts come from the npm bundle and registering twice changes nothing', () => {
    registerBundledFonts();
    const files = registeredFontFiles();
    registerBundledFonts();
    expect(registeredFontFiles()).toBe(files);
    expect(files.length).toBeGreaterThanOrEqual(6 + 24);
    for (const file of files) expect(file).toMatch(/node_modules[\\/]@fontsource[\\/]/);
    const families = GlobalFonts.families.map((family) => family.family);
    expect(families).toEqual(expect.arrayContaining([FONT_FAMILY, FALLBACK_FONT_FAMILY]));
    const inter = GlobalFonts.families.find((family) => family.family === FONT_FAMILY);
    expect(new Set(inter?.styles.map((style) => style.weight))).toEqual(new Set([400, 600, 700]));
  });

  test('scale 2 doubles the pixel dimensions; the pixel area is capped', () => {
    const view = caseView('product-sale-en-US', 'product');
    const one = render(view, { scale: 1 });
    const two = render(view, { scale: 2 });
    expect([one.width, one.height]).toEqual([600, 300]);
    expect([two.width, two.height]).toEqual([1200, 600]);

    const product = blockKinds.product.theme;
    const big = resolveTheme({ width: 1200, height: 1200 }, product, 'test');
    // 2x would be 5.76 million pixels, over the cap: such a theme renders at 1x only.
    expect(clampScale(big, 2)).toBe(1);
    expect(1200 * 1200 * 2 * 2).toBeGreaterThan(MAX_PIXEL_AREA);
    expect(clampScale(defaultTheme(product), 1.37)).toBe(1);
    expect(clampScale(defaultTheme(product), 1.5)).toBe(2);
    expect(clampScale(defaultTheme(product), 3)).toBe(2);
    expect(clampScale(defaultTheme(product), Number.NaN)).toBe(1);
    expect(clampScale(defaultTheme(product), 0.5)).toBe(1);
  });

  test('defaults differ per kind and the block theme overrides them', () => {
    expect(defaultTheme(blockKinds.countdown.theme).height).toBe(160);
    expect(defaultTheme(blockKinds.product.theme).height).toBe(300);
    expect(defaultTheme(blockKinds.recommendations.theme).height).toBe(360);
    expect(defaultTheme(blockKinds.loyalty.theme).height).toBe(200);
    expect(defaultTheme(themeDefaultsOf({ kind: 'fallback' })).height).toBe(150);
    expect(defaultTheme(themeDefaultsOf({ kind: 'something-new' })).width).toBe(600);
    const theme = resolveTheme(
      { height: 320, colors: { accent: '#0f766e', badges: { success: { text: '#14532d' } } }, button: { style: 'outline' } },
      blockKinds.product.theme,
      'test',
    );
    expect(theme.height).toBe(320);
    expect(theme.colors.accent).toBe('#0f766e');
    expect(theme.colors.badges.success).toEqual({ background: defaultTheme(blockKinds.product.theme).colors.badges.success.background, text: '#14532d' });
    expect(theme.button).toEqual({ style: 'outline', radius: defaultTheme(blockKinds.product.theme).button.radius });
  });

  test('a wrong theme is refused with what was expected and what was received', () => {
    const attempt = (raw: Record<string, unknown>) => () => resolveTheme(raw, blockKinds.product.theme, 'blocks.yaml: blocks[1] (id "hero-product")');
    expect(attempt({ colors: { accent: 'blue' } })).toThrow(ConfigError);
    expect(attempt({ colors: { accent: 'blue' } })).toThrow(/theme\.colors\.accent: expected a hex colour such as "#1a73e8"; received "blue"/);
    expect(attempt({ colour: {} })).toThrow(/theme: unknown key "colour". Expected one of: width, height, fontFamily, fonts, pictureFit, pictureFocus, padding, radius, colors, fontSizes, button/);
    expect(attempt({ button: { style: 'rounded' } })).toThrow(/theme\.button\.style: .*received "rounded"/);
    expect(attempt({ width: 5000 })).toThrow(/theme\.width: .*received 5000/);
    expect(attempt({ fontFamily: 'Comic Sans' })).toThrow(/expected one of the bundled fonts: "Inter", "Noto Sans"; received "Comic Sans"/);
    expect(attempt({ fontSizes: { title: 'big' } })).toThrow(/theme\.fontSizes\.title: .*received "big"/);
    expect(attempt({ colors: { badges: { warning: { background: '#fff', border: '#000' } } } })).toThrow(
      /theme\.colors\.badges\.warning: unknown key "border". Expected one of: background, text/,
    );
  });

  test('an outline button theme draws (and logs) the same strings', () => {
    const view = caseView('product-sale-en-US', 'product');
    const log = new DrawLog();
    render(view, { theme: resolveTheme({ button: { style: 'outline', radius: 22 } }, blockKinds.product.theme, 'test'), log });
    expect(log.texts).toContain(view.cta.label);
  });
});

describe('images', () => {
  test('imageUrlsOf lists the product images a view needs, once each', () => {
    const product = caseView('product-sale-en-US', 'product');
    expect(imageUrlsOf(product)).toEqual([product.product.image]);
    const recommendations = caseView('recommendations-en-US', 'recommendations');
    expect(imageUrlsOf(recommendations)).toEqual(recommendations.products.map((p) => p.image));
    expect(imageUrlsOf(caseView('countdown-running-en-US', 'countdown'))).toEqual([]);
    expect(imageUrlsOf({ kind: 'fallback' })).toEqual([]);
  });

  test('an absent image URL draws the placeholder and the card still renders', () => {
    const view = caseView('product-sale-en-US', 'product');
    const log = new DrawLog();
    drawBlock(view, defaultTheme(blockKinds.product.theme), { scale: 1, images: new Map(), drawLog: log });
    expect(log.images).toEqual([`placeholder:${view.product.image}`]);
    expect(log.texts).toContain(view.cta.label);
  });
});
