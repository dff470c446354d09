import fs from 'node:fs';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * Brand fonts: font files a block's theme names (`theme.fonts`, README
 * "Images", Themes), registered under the family the theme gives them. Like
 * the bundled fonts (fonts.ts) they are registered explicitly, never looked
 * up on the system, so a picture looks the same on every machine.
 *
 * The blocks config is checked on the event loop's thread, which registers
 * each file then (a missing, unreadable or broken file stops start-up there,
 * naming the file). The theme travels with every render task, and
 * `registerBrandFonts` in drawBlock registers what this thread has not
 * registered yet, so a render thread never depends on its process having
 * loaded the config first (docs/ARCHITECTURE.md, "Render threads and overload").
 */

/** A font file the theme names, and the family it is registered under. Weight and style are read from the file. */
export interface BrandFont {
  family: string;
  /** An absolute path (the config's relative one, resolved against the config file's folder). */
  file: string;
}

/** What a brand font file may be: the formats Skia (through @napi-rs/canvas 1.1) reads. */
export const BRAND_FONT_EXTENSIONS = ['.ttf', '.otf', '.woff', '.woff2'] as const;

/**
 * The folder of an installed npm package, found as Node finds it from `fromDir`
 * (the blocks config's folder) and then from this server's own; null when it
 * is not installed. Lets a theme name a font an @fontsource package ships
 * without spelling where node_modules is.
 */
export function packageFolder(name: string, fromDir: string): string | null {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [fromDir, __dirname] }));
  } catch {
    return null;
  }
}

/** `family|file` pairs this thread has registered. */
const registeredHere = new Set<string>();

/**
 * Registers one brand font in this thread, once. Returns null when it is
 * registered, or why it could not be (for the start-up error, which adds the
 * block and the config path).
 */
export function registerBrandFont(font: BrandFont): string | null {
  const key = `${font.family}|${font.file}`;
  if (registeredHere.has(key)) return null;
  const extension = path.extname(font.file).toLowerCase();
  if (!(BRAND_FONT_EXTENSIONS as readonly string[]).includes(extension)) {
    return `${font.file} is not a font file: expected one of ${BRAND_FONT_EXTENSIONS.join(', ')}`;
  }
  try {
    fs.accessSync(font.file, fs.constants.R_OK);
    if (!fs.statSync(font.file).isFile()) return `${font.file} is not a file`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `font file ${font.file} does not exist` : `cannot read the font file ${font.file} (${code ?? String(error)})`;
  }
  if (!GlobalFonts.registerFromPath(font.file, font.family)) return `${font.file} could not be read as a font (${extension.slice(1)} expected)`;
  registeredHere.add(key);
  return null;
}

/** Registers a theme's brand fonts in this thread (those already registered cost a set lookup). Throws when one cannot be. */
export function registerBrandFonts(fonts: readonly BrandFont[]): void {
  for (const font of fonts) {
    const problem = registerBrandFont(font);
    if (problem) throw new Error(`brand font "${font.family}": ${problem}`);
  }
}
