import fs from 'node:fs';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * Fonts come from npm packages and are registered explicitly, never looked up
 * on the system, so a block renders the same on a laptop, in CI and in
 * production (the way satori loads fonts from test assets).
 *
 * @napi-rs/canvas 1.1 reads .woff2 directly, so the @fontsource files are
 * registered as they ship. Each @fontsource file holds one unicode subset;
 * registering several files under one family name lets Skia pick, per
 * character, the file that has the glyph. Text is drawn with the stack
 * `Inter, "Noto Sans"`: Inter for Latin, Noto Sans for the scripts Inter's
 * latin subsets lack. A character no bundled file covers falls back to
 * whatever Skia finds, and with nothing found draws the font's missing-glyph
 * box: never a crash.
 */

/** The main family: Latin and Latin Extended. */
export const FONT_FAMILY = 'Inter';
/** The fallback family: Noto Sans in every script its packages ship. */
export const FALLBACK_FONT_FAMILY = 'Noto Sans';
/** The families a theme may name as its font. */
export const BUNDLED_FONT_FAMILIES = [FONT_FAMILY, FALLBACK_FONT_FAMILY] as const;
export type BundledFontFamily = (typeof BUNDLED_FONT_FAMILIES)[number];

/** The weights registered for both families. */
export const FONT_WEIGHTS = [400, 600, 700] as const;
export type FontWeight = (typeof FONT_WEIGHTS)[number];

interface FontSource {
  /** The npm package that ships the files. */
  pkg: string;
  /** File name prefix inside the package's files/ folder, before `-<subset>-<weight>-normal.woff2`. */
  prefix: string;
  family: BundledFontFamily;
  subsets: readonly string[];
  /** Shipped as numbered unicode-range slices ("[0]"…"[119]") instead of one file per subset. */
  sliced: boolean;
}

const SOURCES: readonly FontSource[] = [
  { pkg: '@fontsource/inter', prefix: 'inter', family: FONT_FAMILY, subsets: ['latin', 'latin-ext'], sliced: false },
  {
    pkg: '@fontsource/noto-sans',
    prefix: 'noto-sans',
    family: FALLBACK_FONT_FAMILY,
    subsets: ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese', 'devanagari'],
    sliced: false,
  },
  // Arabic and Japanese are not in @fontsource/noto-sans; without them Skia would fall back to system fonts.
  { pkg: '@fontsource/noto-sans-arabic', prefix: 'noto-sans-arabic', family: FALLBACK_FONT_FAMILY, subsets: ['arabic'], sliced: false },
  { pkg: '@fontsource/noto-sans-jp', prefix: 'noto-sans-jp', family: FALLBACK_FONT_FAMILY, subsets: ['japanese'], sliced: true },
];

function packageFilesDir(pkg: string): string | null {
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'files');
  } catch {
    return null;
  }
}

let registered: readonly string[] | null = null;

/**
 * Registers every bundled font file once per process (later calls return at
 * once). Throws when a required package or file is missing: rendering with a
 * silently substituted system font would make images differ between machines.
 */
export function registerBundledFonts(): void {
  if (registered) return;
  const files: string[] = [];
  for (const source of SOURCES) {
    const dir = packageFilesDir(source.pkg);
    if (!dir) {
      throw new Error(`Bundled font package ${source.pkg} is not installed (run npm install).`);
    }
    for (const subset of source.subsets) {
      for (const weight of FONT_WEIGHTS) {
        if (source.sliced) {
          const slices = slicedFiles(dir, source.prefix, weight);
          if (slices.length === 0) throw new Error(`Bundled font slices missing: ${source.prefix}-[n]-${weight}-normal.woff2 in ${dir}`);
          for (const slice of slices) register(slice, source.family, files);
          continue;
        }
        const file = path.join(dir, `${source.prefix}-${subset}-${weight}-normal.woff2`);
        if (!fs.existsSync(file)) throw new Error(`Bundled font file missing: ${file}`);
        register(file, source.family, files);
      }
    }
  }
  registered = files;
}

/** The font files registered so far (empty before registerBundledFonts), for diagnostics and tests. */
export function registeredFontFiles(): readonly string[] {
  return registered ?? [];
}

function slicedFiles(dir: string, prefix: string, weight: number): string[] {
  const pattern = new RegExp(`^${prefix}-(\\[\\d+\\]|\\d+)-${weight}-normal\\.woff2$`);
  return fs
    .readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

function register(file: string, family: string, files: string[]): void {
  if (!GlobalFonts.registerFromPath(file, family)) throw new Error(`@napi-rs/canvas could not register the font ${file}`);
  files.push(file);
}

/**
 * The CSS font stack for a family: the chosen bundled family first, the other
 * one after it for the scripts it lacks. A brand family (brand-fonts.ts) comes
 * before both, which draw the characters its files lack.
 */
export function fontStack(family: string): string {
  if (family === FONT_FAMILY) return `${FONT_FAMILY}, "${FALLBACK_FONT_FAMILY}"`;
  if (family === FALLBACK_FONT_FAMILY) return `"${FALLBACK_FONT_FAMILY}", ${FONT_FAMILY}`;
  return `"${family}", ${FONT_FAMILY}, "${FALLBACK_FONT_FAMILY}"`;
}
