import type { z } from 'zod';
import type { BaseBlockConfig } from '../blocks/block-config';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Open } from '../open/open';
import type { DrawEnv } from '../render/draw-env';
import type { Context } from '../render/text';
import type { KindThemeDefaults, Theme, ThemeInput } from '../render/theme';
import type { MessageValues } from '../format/interpolate';
import type { RuleFacts } from '../rules/facts';
import type { ProductCardView } from './shared/product-card';
import type { PollResults } from '../forms/poll-results';

/**
 * THE SHAPE EVERY KIND FILLS (docs/ARCHITECTURE.md, "Adding a kind"). A kind is one folder,
 * src/kinds/<kind>/, whose index.ts exports one object of this type, and one
 * line in src/kinds/registry.ts. Everything the rest of the system needs to
 * know about a kind is declared here, as data or as a function of the kind's
 * own view: nothing outside the kind's folder asks for its name. The registry
 * is typed so that a kind missing any required member does not compile.
 */
export interface BlockKind<Name extends string, View extends { kind: Name }, Config extends BaseBlockConfig = BaseBlockConfig, Prepared = unknown> {
  /** The `kind:` of its blocks in the blocks config, and the `kind` of its views. */
  readonly name: Name;

  // ── The JSON side: config → rules → view → amp-list payload ──

  readonly configSchema: z.ZodType<Config, any>;
  /** English defaults; the README lists the keys. Config messages may only use these keys. */
  readonly defaultMessages: Readonly<Record<string, string>>;
  /**
   * The placeholders `resolve` fills, per default message key: a block's
   * messages, translations and variant messages may name only these for that
   * key (checked at start-up, blocks/blocks-config.ts); test/kinds checks that
   * resolving passes exactly these.
   */
  readonly placeholders: Readonly<Record<string, readonly string[]>>;
  /** Compiles the kind's own rules once, at start-up; throws RuleError naming the rule's place. */
  prepare(config: Config, where: string): Prepared;
  /** Data + rules → a view whose every user-visible string is formatted for this open; HoldBack when data is missing. */
  resolve(prepared: Prepared, context: ResolveContext): Promise<View>;
  toJson(view: View): AmpListPayload;

  // ── The image side: the same view, laid out ──

  /** Draws the view onto a canvas already filled with the theme's background; only lays the view's strings out. */
  draw(ctx: Context, view: View, theme: Theme, env: DrawEnv): void;
  /** The kind's default image height and font sizes, under a block's own `theme:`. */
  readonly theme: KindThemeDefaults;
  /**
   * View fields that are never drawn as text: identifiers, links, machine
   * states and ISO times the AMP template may use. Every other string of the
   * JSON must appear in the image (test/kinds/draw-log-equivalence.test.ts).
   */
  readonly notShown: readonly string[];
  /** Representative views, every state the drawing knows: the draw-log test and the renderer's warm-up draw them. */
  readonly samples: KindSamples<View>;

  // ── What the rest of the system asks of a kind's views ──

  /** The links its picture shows, for the click route and the HTML part. */
  readonly clickSlots: ClickSlots<Config, View>;
  /** Present when its views show catalogue products: their pictures are loaded, lock marks apply to them, the render log records their ids. */
  readonly productCards?: ProductCards<View>;
  /**
   * Present when its views show pictures that are not product cards (a banner's background): their URLs, loaded before
   * drawing like product pictures; null where a view has none (skipped, so a kind need not filter its list on every open).
   */
  readonly pictures?: (view: View) => readonly (string | null)[];
  /** Present when a view can change every second: asked for as `.gif`, such a view is drawn as an animation. */
  readonly animation?: Animation<View>;
  /** Present when its picture can be cut into a header and per-card parts (`?slot=`, render/image-parts.ts). */
  readonly parts?: (view: View, theme: Theme) => PartLayout;
  /**
   * Present when the kind draws a phone layout (`?layout=narrow`, render/layout.ts): a picture
   * NARROW_WIDTH wide, cards stacked, type no smaller than NARROW_MIN_FONT_PX. A kind without it
   * answers `?layout=narrow` with its wide picture.
   */
  readonly narrow?: NarrowDrawing<View>;
  /** Present when a block of this kind cannot be locked at first open: says why, for the start-up error. */
  readonly refusesLockAtFirstOpen?: string;
}

/** The amp-list payload: amp-list reads `items` by default. */
export interface AmpListPayload {
  items: unknown[];
}

/** Everything a kind's resolve needs besides its config: the open, the data, the rule facts and messages. */
export interface ResolveContext {
  open: Open;
  store: CatalogueReader;
  facts: RuleFacts;
  /** The message for a key after translations and variants, with `{placeholders}` filled. */
  message(key: string, values?: MessageValues): string;
  /** A poll's or rating's results for one campaign (forms/poll-results.ts); undefined: no such poll. Absent where forms are not served. */
  polls?: PollResultsReader;
  /**
   * When the open's subscriber first opened its campaign as a human
   * (recording/first-opens.ts): a human open records itself if none has.
   * Undefined: no human open yet (an Apple prefetch, a generic open, a
   * preview). Absent where opens are not recorded (a one-off render).
   */
  firstHumanOpen?: () => Promise<Date | undefined>;
}

/** Reads the results of a poll of the forms config for one campaign. */
export type PollResultsReader = (campaignId: string, pollId: string, locale?: string) => Promise<PollResults | undefined>;

/**
 * Slot i of a block's picture is the i-th link-bearing thing it shows. The
 * HTML part links slot i to `/c/v1/blocks/:blockId/:i?t=…`, and the click
 * opens the URL the subscriber's latest render had in that slot, so a click
 * lands on exactly what the picture showed.
 */
export interface ClickSlots<Config, View> {
  /** How many slots a block's picture has: the click links its HTML part may carry. */
  count(config: Config): number;
  /** The most slots any block of this kind can have (bounds the click route's slot number). */
  readonly max: number;
  /** Slot i → the URL a click on it opens, in slot order. */
  urls(view: View): string[];
}

/** Where a view keeps its product cards, in slot order. */
export interface ProductCards<View> {
  of(view: View): readonly ProductCardView[];
  /** The same view with these cards in their places (lock-at-first-open marks them). */
  with(view: View, cards: readonly ProductCardView[]): View;
}

export interface Animation<View> {
  /**
   * True while the view changes from second to second (a running countdown):
   * its GIF has one frame a second, and its rendering is shared only within
   * the second. False once it stops (the expired frame it rests on).
   */
  ticking(view: View): boolean;
  /**
   * Optional: the view as a still picture and the parts of it that tick (a
   * countdown's figures). A GIF then draws the still once, and each second
   * only the parts whose content changed, reading back only those
   * (render/ticking-frames.ts). Null: this view is drawn whole.
   */
  ticks?(view: View, theme: Theme): Ticks<View> | null;
}

/** A view split into what stays from second to second and what ticks (Animation.ticks). */
export interface Ticks<View> {
  /**
   * The view as drawn without its ticking parts, by the kind's own `draw`.
   * Two stills with the same JSON draw the same picture.
   */
  still: View;
  /** Drawn over the still, in this order; together they must make exactly the picture of the view. */
  parts: readonly TickingPart[];
}

export interface TickingPart {
  /** Where the part is drawn, in CSS pixels: it draws nothing outside, the still alone fills it, and no other part's box overlaps it. */
  box: { x: number; y: number; width: number; height: number };
  /** What it shows: a part showing the same as in the frame before is not drawn again. */
  shows: string;
  /** Draws the part over the still (or over its own previous drawing, the box restored from the still first). */
  draw(ctx: Context, env: DrawEnv): void;
}

/** The header band and the per-card columns of a picture that can be cut into parts, in CSS pixels. */
export interface PartLayout {
  /** The header band's height; card columns (or rows) start here. */
  headerBottom: number;
  /** Each card slot's column, tiling the picture's width under the header. */
  columns: readonly { x: number; width: number }[];
  /** Cards stacked instead (a narrow picture): each card slot's row, full width; when present, `columns` is not read. */
  rows?: readonly { y: number; height: number }[];
}

/**
 * A kind's phone layout (BlockKind.narrow; docs/ARCHITECTURE.md, "Narrow pictures"). Every
 * function gets the narrow theme (render/layout.ts `layoutTheme`): the block's theme with
 * `layout: 'narrow'`, width NARROW_WIDTH, font sizes raised to NARROW_MIN_FONT_PX, and the
 * height `height` gave. The same view as the wide picture, so the draw-log test holds for both.
 */
export interface NarrowDrawing<View> {
  /** The picture's height for this view (its cards stacked), CSS pixels; `theme.height` is still the wide one here. */
  height(view: View, theme: Theme): number;
  /** Lays the view out on the narrow canvas (already filled with the background), like BlockKind.draw. */
  draw(ctx: Context, view: View, theme: Theme, env: DrawEnv): void;
  /** Where its parts are, when the narrow picture can be cut (`?slot=` with `?layout=narrow`). */
  parts?(view: View, theme: Theme): PartLayout;
  /** The narrow picture as a still and ticking parts (Animation.ticks); absent: each GIF frame is drawn whole. */
  ticks?(view: View, theme: Theme): Ticks<View> | null;
  /** View fields this picture leaves out on purpose, besides BlockKind.notShown (a countdown's boxes say what its one-line `text` says). */
  readonly notShown?: readonly string[];
}

/** One representative view of a kind, as its drawing gets it. */
export interface KindSample<View> {
  /** e.g. "running", "expired": names the case in test output. */
  name: string;
  view: View;
  /** A block `theme:` to draw it with (a narrow layout, say); default: the kind's default theme. */
  theme?: ThemeInput;
  /** Picture URLs that fail to load, so the placeholder is drawn. */
  missingImages?: readonly string[];
  /** Fields this layout leaves out on purpose, besides `notShown` (a wide countdown shows four boxes, not the one-line `text`). */
  alsoNotShown?: readonly string[];
}

/** At least one sample per kind. */
export type KindSamples<View> = readonly [KindSample<View>, ...KindSample<View>[]];
