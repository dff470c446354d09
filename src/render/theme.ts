import path from 'node:path';
import { z } from 'zod';
import { describe, objectKeysAt, valueAt } from '../blocks/config-issues';
import { ConfigError } from '../config';
import { BRAND_FONT_EXTENSIONS, packageFolder, registerBrandFont, type BrandFont } from './brand-fonts';
import { BUNDLED_FONT_FAMILIES, FONT_FAMILY } from './fonts';

/**
 * The look of a block's image: a `theme:` object in the block config, every
 * key optional, filled from defaults that depend on the block's kind (each
 * kind declares its own, `theme` in kinds/kind.ts).
 *
 * ```yaml
 * theme:
 *   height: 320
 *   colors: { accent: "#0f766e", salePrice: "#be123c", badges: { success: { background: "#dcfce7", text: "#166534" } } }
 *   fontSizes: { title: 22 }
 *   button: { style: outline, radius: 22 }
 *   fonts: [{ family: Brand Serif, file: fonts/brand-serif.woff2 }]   # relative to the config file
 *   fontFamily: Brand Serif
 *   pictureFit: contain
 * ```
 */

const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
const colour = z.string().regex(HEX_COLOUR, { error: 'expected a hex colour such as "#1a73e8"' });

const toneSchema = z.strictObject({ background: colour, text: colour }).partial();

const coloursSchema = z
  .strictObject({
    /** The whole image. */
    background: colour,
    /** Quiet panels: the expired countdown, the fallback, the swap note. */
    surface: colour,
    text: colour,
    mutedText: colour,
    border: colour,
    /** Brand colour: filled buttons, outline buttons, the tier pill. */
    accent: colour,
    /** The price a product sells at while on sale, and its discount. */
    salePrice: colour,
    buttonBackground: colour,
    buttonText: colour,
    /** The four countdown boxes. */
    figureBackground: colour,
    figureText: colour,
    progressTrack: colour,
    progressFill: colour,
    /** Drawn where a product image is missing or failed to load. */
    placeholder: colour,
    badges: z.strictObject({ info: toneSchema, success: toneSchema, warning: toneSchema, danger: toneSchema }).partial(),
  })
  .partial();

const fontSize = z.number().min(6, { error: 'expected a font size of at least 6 (px)' }).max(120, { error: 'expected a font size of at most 120 (px)' });

const fontSizesSchema = z
  .strictObject({
    /** Block headline / recommendations title. */
    headline: fontSize,
    /** Product name on the product card. */
    title: fontSize,
    body: fontSize,
    small: fontSize,
    price: fontSize,
    /** Countdown figures. */
    figure: fontSize,
    /** Loyalty balance. */
    points: fontSize,
    button: fontSize,
    /** Text that does not fit shrinks down to this size, then is ellipsised. */
    min: fontSize,
  })
  .partial();

/** Family names go into a CSS font string unescaped, so no quotes, commas or semicolons. */
const FAMILY_NAME = /^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u;

const brandFontSchema = z.strictObject({
  family: z
    .string()
    .regex(FAMILY_NAME, { error: 'expected a family name of letters, digits, spaces, "-" or "_"' })
    .refine((family) => !(BUNDLED_FONT_FAMILIES as readonly string[]).includes(family), { error: `expected a family name other than the bundled ${BUNDLED_FONT_FAMILIES.map((f) => `"${f}"`).join(', ')}` }),
  /** A .ttf, .otf, .woff or .woff2 file, relative to the blocks config file (or absolute), or to `package`'s folder. */
  file: z.string().min(1, { error: 'expected the path of a font file' }),
  /** An installed npm package that ships the file (an @fontsource font), found as Node finds packages from the config's folder. */
  package: z.string().min(1, { error: 'expected the name of an installed npm package' }).optional(),
});

/** How a picture fills its box: cropped to fill it (CSS object-fit: cover) or whole inside it (contain). */
export const PICTURE_FITS = ['cover', 'contain'] as const;
export type PictureFit = (typeof PICTURE_FITS)[number];
/** The part of a picture kept in view (cover) or the side it sits on (contain); CSS object-position keywords. */
export const PICTURE_FOCUSES = ['center', 'top', 'bottom', 'left', 'right'] as const;
export type PictureFocus = (typeof PICTURE_FOCUSES)[number];

/** What a block's `theme:` may contain; every key optional (defaults per kind fill the rest). */
export const themeSchema = z
  .strictObject({
    width: z.number().int({ error: 'expected a whole number of pixels' }).min(200).max(1200),
    height: z.number().int({ error: 'expected a whole number of pixels' }).min(60).max(1200),
    /** A bundled family or one of `fonts` (checked in resolveTheme, which sees both). */
    fontFamily: z.string({ error: 'expected a font family name' }),
    /** Brand fonts: files registered under a family name at start-up (render/brand-fonts.ts). */
    fonts: z.array(brandFontSchema).max(16),
    /** How every product picture and banner background fills its box. */
    pictureFit: z.enum(PICTURE_FITS, { error: `expected one of ${PICTURE_FITS.join(', ')}` }),
    pictureFocus: z.enum(PICTURE_FOCUSES, { error: `expected one of ${PICTURE_FOCUSES.join(', ')}` }),
    padding: z.number().min(0).max(100),
    /** Corner radius of boxes, images and panels. */
    radius: z.number().min(0).max(60),
    colors: coloursSchema,
    fontSizes: fontSizesSchema,
    button: z.strictObject({ style: z.enum(['filled', 'outline']), radius: z.number().min(0).max(60) }).partial(),
  })
  .partial();

export type ThemeInput = z.infer<typeof themeSchema>;

export type BadgeToneName = 'info' | 'success' | 'warning' | 'danger';

/** Which picture of a view is drawn: the email-width one, or the phone one (render/layout.ts). */
export type ImageLayout = 'wide' | 'narrow';

/** A resolved theme: every value present. Plain data, so it hashes into cache keys. */
export interface Theme {
  /** 'narrow': a kind's phone picture (render/layout.ts `layoutTheme`); absent: the wide one. Part of the render cache key, like every field. */
  layout?: ImageLayout;
  width: number;
  height: number;
  /** A bundled family, or a brand family of `fonts`. */
  fontFamily: string;
  /** Brand font files by absolute path; every thread that draws registers them (render/brand-fonts.ts). */
  fonts: readonly BrandFont[];
  pictureFit: PictureFit;
  pictureFocus: PictureFocus;
  padding: number;
  radius: number;
  colors: {
    background: string;
    surface: string;
    text: string;
    mutedText: string;
    border: string;
    accent: string;
    salePrice: string;
    buttonBackground: string;
    buttonText: string;
    figureBackground: string;
    figureText: string;
    progressTrack: string;
    progressFill: string;
    placeholder: string;
    badges: Record<BadgeToneName, { background: string; text: string }>;
  };
  fontSizes: {
    headline: number;
    title: number;
    body: number;
    small: number;
    price: number;
    figure: number;
    points: number;
    button: number;
    min: number;
  };
  button: { style: 'filled' | 'outline'; radius: number };
}

/** What a kind sets under a block's own theme: its image height, and font sizes that differ from the base theme's. */
export interface KindThemeDefaults {
  height: number;
  fontSizes?: Partial<Theme['fontSizes']>;
}

/** The fallback panel's defaults: a block's fallback items, and the generic panel of an unknown block. */
export const FALLBACK_THEME_DEFAULTS: KindThemeDefaults = { height: 150 };

// A quiet retail palette: near-black type and buttons on white, a red for sale
// prices, soft badge pills whose text keeps at least 4.5:1 contrast.
const BASE_THEME: Theme = {
  width: 600,
  height: FALLBACK_THEME_DEFAULTS.height,
  fontFamily: FONT_FAMILY,
  fonts: [],
  pictureFit: 'cover',
  pictureFocus: 'center',
  padding: 24,
  radius: 8,
  colors: {
    background: '#ffffff',
    surface: '#f5f3ef',
    text: '#1c1b1a',
    mutedText: '#6b6760',
    border: '#e4e0d9',
    accent: '#1c1b1a',
    salePrice: '#c2182b',
    buttonBackground: '#1c1b1a',
    buttonText: '#ffffff',
    figureBackground: '#1c1b1a',
    figureText: '#ffffff',
    progressTrack: '#ebe7e0',
    progressFill: '#b7862c',
    placeholder: '#eeebe6',
    badges: {
      info: { background: '#e3edfb', text: '#1d4e9e' },
      success: { background: '#e2f2e6', text: '#17603a' },
      warning: { background: '#fdf0d5', text: '#8a4b08' },
      danger: { background: '#fbe4e6', text: '#a3142a' },
    },
  },
  fontSizes: { headline: 22, title: 20, body: 14, small: 12, price: 24, figure: 30, points: 36, button: 15, min: 10 },
  button: { style: 'filled', radius: 6 },
};

/** Cap on width × height × scale² of one rendering: 2.5 million pixels (≈ 10 MB of RGBA). */
export const MAX_PIXEL_AREA = 2_500_000;

/** Largest scale (sharpness factor for high-density screens) a request may ask for. */
export const MAX_SCALE = 2;

/**
 * Validates a block's `theme` config and fills the defaults: the block's
 * kind's (`kindDefaults`), then the base theme's. Throws ConfigError naming
 * each wrong key, what was expected and what was received; `where` names the
 * block in the message. Brand font files are resolved against `baseDir` (the
 * blocks config file's folder) and registered in this thread, so a missing or
 * broken one stops start-up naming its path.
 */
export function resolveTheme(raw: Record<string, unknown>, kindDefaults: KindThemeDefaults, where: string, baseDir = process.cwd()): Theme {
  const parsed = themeSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const at = ['theme', ...issue.path].join('.');
      if (issue.code === 'unrecognized_keys') {
        const allowed = objectKeysAt(themeSchema, issue.path);
        return `  - ${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}. Expected one of: ${allowed.join(', ')}.`;
      }
      // zod's own "received <type>" would repeat what follows; the value itself says more.
      return `  - ${at}: ${issue.message.replace(/, received \w+$/, '')}; received ${describe(valueAt(raw, issue.path))}.`;
    });
    throw new ConfigError(`${where}: invalid theme:\n${lines.join('\n')}`);
  }
  const input = parsed.data;
  const fonts = brandFontsOf(input, where, baseDir);
  const badges = { ...BASE_THEME.colors.badges };
  for (const tone of Object.keys(badges) as BadgeToneName[]) {
    badges[tone] = { ...badges[tone], ...input.colors?.badges?.[tone] };
  }
  const { badges: _ignored, ...colours } = input.colors ?? {};
  return {
    width: input.width ?? BASE_THEME.width,
    height: input.height ?? kindDefaults.height,
    fontFamily: input.fontFamily ?? BASE_THEME.fontFamily,
    fonts,
    pictureFit: input.pictureFit ?? BASE_THEME.pictureFit,
    pictureFocus: input.pictureFocus ?? BASE_THEME.pictureFocus,
    padding: input.padding ?? BASE_THEME.padding,
    radius: input.radius ?? BASE_THEME.radius,
    colors: { ...BASE_THEME.colors, ...colours, badges },
    fontSizes: { ...BASE_THEME.fontSizes, ...kindDefaults.fontSizes, ...input.fontSizes },
    button: { ...BASE_THEME.button, ...input.button },
  };
}

/**
 * The theme's brand fonts with absolute paths, each registered in this
 * thread; and its `fontFamily` checked against them and the bundled ones.
 */
function brandFontsOf(input: ThemeInput, where: string, baseDir: string): BrandFont[] {
  const problems: string[] = [];
  const fonts: BrandFont[] = [];
  (input.fonts ?? []).forEach((font, index) => {
    const folder = font.package === undefined ? baseDir : packageFolder(font.package, baseDir);
    if (folder === null) {
      problems.push(`  - theme.fonts[${index}].package: npm package ${JSON.stringify(font.package)} is not installed; expected a package that ships the font file (npm install ${font.package}).`);
      return;
    }
    const resolved = { family: font.family, file: path.resolve(folder, font.file) };
    const problem = registerBrandFont(resolved);
    if (problem) problems.push(`  - theme.fonts[${index}].file: ${problem}; expected a readable ${BRAND_FONT_EXTENSIONS.join(', ')} file (a relative path is read from ${folder}).`);
    fonts.push(resolved);
  });
  const families = [...BUNDLED_FONT_FAMILIES, ...new Set(fonts.map((font) => font.family))];
  if (input.fontFamily !== undefined && !families.includes(input.fontFamily)) {
    const bundled = BUNDLED_FONT_FAMILIES.map((family) => `"${family}"`).join(', ');
    const declared = [...new Set(fonts.map((font) => `"${font.family}"`))].join(', ');
    problems.push(
      fonts.length > 0
        ? `  - theme.fontFamily: expected one of the bundled fonts: ${bundled} or of theme.fonts: ${declared}; received ${JSON.stringify(input.fontFamily)}.`
        : `  - theme.fontFamily: expected one of the bundled fonts: ${bundled}; received ${JSON.stringify(input.fontFamily)}. A brand font is declared in theme.fonts first.`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`${where}: invalid theme:\n${problems.join('\n')}`);
  return fonts;
}

/** The theme of a block with no `theme:`, from its kind's defaults; the fallback panel's by default. */
export function defaultTheme(kindDefaults: KindThemeDefaults = FALLBACK_THEME_DEFAULTS): Theme {
  return resolveTheme({}, kindDefaults, 'default theme');
}

/**
 * The scale to render at for a requested one (`?scale=2`, `@2x`): 1 or 2, the
 * nearest to what was asked, and 1 when 2 would put width × height × scale²
 * over MAX_PIXEL_AREA. Anything that is not a finite number renders at 1.
 *
 * Whole scales only: every distinct scale is its own rendering, so allowing
 * `?scale=1.37` let one token ask for a hundred cold renders of one view
 * (and a hundred countdown GIFs a second). Email clients ask for 1x or 2x.
 */
export function clampScale(theme: Theme, requested: number): number {
  if (!Number.isFinite(requested) || requested < 1.5) return 1;
  const fitsTwice = theme.width * theme.height * MAX_SCALE * MAX_SCALE <= MAX_PIXEL_AREA;
  return fitsTwice ? MAX_SCALE : 1;
}
