/**
 * The image shows the same facts as the JSON, for every registered kind:
 * each kind's sample views (src/kinds/<kind>/samples.ts) are written by its
 * toJson and drawn by drawBlock with a draw log, and
 *
 * - every user-visible string of the JSON items appears in the draw log
 *   (all strings but the fields the kind declares `notShown`, and those a
 *   sample's layout leaves out on purpose, `alsoNotShown`);
 * - nothing else is drawn: every logged string is one of the JSON's (or the
 *   shortened "…" form of one), and nothing had to be shortened;
 * - exactly the product pictures the view names are drawn.
 *
 * Every sample is drawn in both layouts (render/layout.ts): the wide picture
 * and the narrow one (`?layout=narrow`, the kind's wide picture again when it
 * has no narrow drawing), so the phone picture shows the same facts too.
 *
 * A kind registered in src/kinds/registry.ts is picked up here without any
 * change: one whose drawing leaves a string out (or draws nothing) fails.
 */
import { registerBundledFonts } from '../../src/render/fonts';
import { isBlockView, withKind } from '../../src/kinds/kind-of-view';
import type { KindSample } from '../../src/kinds/kind';
import { allKinds, type BlockView, type RegisteredKind } from '../../src/kinds/registry';
import { drawBlock, imageUrlsOf } from '../../src/render/draw-block';
import { DrawLog } from '../../src/render/draw-log';
import { layoutTheme, NARROW_MIN_FONT_PX, type ImageLayout } from '../../src/render/layout';
import { resolveTheme } from '../../src/render/theme';
import { fakeImages } from '../helpers/render-fixtures';

interface SampleCase {
  kind: RegisteredKind;
  sample: KindSample<BlockView>;
}

const cases: SampleCase[] = [];
for (const kind of allKinds) for (const sample of kind.samples) cases.push({ kind, sample });

/** Every string in a JSON value with its path, leaving out the fields named in `skip` (at any depth). */
function stringsOf(value: unknown, skip: ReadonlySet<string>, at = 'item'): { at: string; text: string }[] {
  if (typeof value === 'string') return value.trim() ? [{ at, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsOf(item, skip, `${at}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (skip.has(key) ? [] : stringsOf(item, skip, `${at}.${key}`)));
  }
  return [];
}

const LAYOUTS: readonly ImageLayout[] = ['wide', 'narrow'];

function draw({ kind, sample }: SampleCase, layout: ImageLayout): { items: unknown[]; log: DrawLog } {
  const items = withKind(sample.view, (own, view) => own.toJson(view)).items;
  const log = new DrawLog();
  const theme = layoutTheme(sample.view, resolveTheme(sample.theme ?? {}, kind.theme, `${kind.name} sample "${sample.name}"`), layout);
  const images = fakeImages(imageUrlsOf(sample.view), sample.missingImages);
  drawBlock(sample.view, theme, { scale: 1, images, drawLog: log });
  return { items, log };
}

beforeAll(() => registerBundledFonts());

test('every registered kind has samples of its own kind', () => {
  expect(allKinds.length).toBeGreaterThan(0);
  for (const kind of allKinds) {
    expect(kind.samples.length).toBeGreaterThan(0);
    for (const sample of kind.samples) {
      expect(isBlockView(sample.view)).toBe(true);
      expect(sample.view.kind).toBe(kind.name);
    }
  }
});

describe.each(allKinds.map((kind) => [kind.name]))('%s', (name) => {
  const ofKind = cases.filter((entry) => entry.kind.name === name);

  const layoutCases = ofKind.flatMap((entry) => LAYOUTS.map((layout) => [entry.sample.name, layout, entry] as const));
  test.each(layoutCases)('%s (%s): every visible string of the JSON is drawn, and nothing else', (_sample, layout, entry) => {
    const { items, log } = draw(entry, layout);
    // A sample's alsoNotShown is about its own (wide) theme; a narrow drawing declares what it leaves out itself.
    const narrow = layout === 'narrow' ? entry.kind.narrow : undefined;
    const hidden = new Set([...entry.kind.notShown, ...(narrow ? (narrow.notShown ?? []) : (entry.sample.alsoNotShown ?? []))]);
    const visible = stringsOf(items, hidden);
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.filter((string) => !log.shows(string.text))).toEqual([]);

    const known = new Set(stringsOf(items, new Set()).map((string) => string.text));
    expect(log.texts.filter((text) => !known.has(text) && !text.endsWith('…'))).toEqual([]);
    expect(log.shortened).toEqual([]);
    expect(log.images).toEqual(imageUrlsOf(entry.sample.view).map((url) => (entry.sample.missingImages?.includes(url) ? `placeholder:${url}` : url)));
    // A phone picture is for reading on a phone: no string under the narrow floor, even shrunk to fit.
    if (narrow) expect(log.sizes.filter((drawn) => drawn.size < NARROW_MIN_FONT_PX)).toEqual([]);
  });
});
