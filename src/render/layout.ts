import { LRUCache } from 'lru-cache';
import { isBlockView, withKindOf, type ShownView } from '../kinds/kind-of-view';
import { fallbackPanelHeight } from './fallback-panel';
import type { ImageLayout, Theme } from './theme';

export type { ImageLayout } from './theme';

/**
 * The phone picture of a view (`?layout=narrow`; docs/ARCHITECTURE.md, "Narrow pictures").
 *
 * An email's pictures are drawn 600 CSS px wide; on a 375 px phone the client shrinks them to the
 * screen, and 12 px type becomes 7.5 px. A narrow picture is drawn NARROW_WIDTH wide with its cards
 * stacked, and no type under NARROW_MIN_FONT_PX, so shown at 360–430 px it reads at 13 px or more.
 * It is the same view drawn another way: the JSON, the draw-log test and the click slots are the
 * view's, whichever layout is asked for. The HTML parts choose it with a media query (README "Phones").
 *
 * The layout travels as part of the theme (`layout: 'narrow'`, the width and height), so everything
 * that already takes a theme — a render thread's task, the render cache key, the GIF's ticks, the
 * parts of a picture — tells the two pictures apart with no parameter of its own.
 */

/** The narrow picture's width, CSS pixels: the narrowest common phone, so it is never shrunk on one. */
export const NARROW_WIDTH = 360;
/** No text of a narrow picture is drawn smaller (CSS px at NARROW_WIDTH): 12 px or more on a 340 px wide display. */
export const NARROW_MIN_FONT_PX = 13;
/** The narrow picture's side margins: a phone has less room to spare than an email's 600 px. */
const NARROW_PADDING = 16;
/** Body text and buttons a little larger than the floor: they are read, not glanced at. */
const NARROW_READING_PX = 15;

/** `?layout=`: "narrow" (any case, spaces around ignored) asks for the phone picture; anything else, or nothing, the wide one. */
export function parseImageLayout(value: string | null | undefined): ImageLayout {
  return typeof value === 'string' && value.trim().toLowerCase() === 'narrow' ? 'narrow' : 'wide';
}

interface NarrowThemes {
  /** The narrow theme before its height is known (what NarrowDrawing.height gets). */
  base: Theme;
  /** By height: themes are fingerprinted once per object for the render cache (render-cache.ts), so each is made once. */
  byHeight: Map<number, Theme>;
  /**
   * A view's narrow height by its JSON: finding it lays the whole view out (a feed or a row of
   * picks: hundreds of µs), and it is asked on every narrow open before the render cache is, so
   * an open whose picture is cached must not pay for it again. The JSON is all a height depends on.
   */
  heightByView: LRUCache<string, number>;
}

/** Views whose narrow height is kept, per block theme: as many as the render cache keeps pictures of one block. */
const NARROW_HEIGHTS_KEPT = 500;

const narrowThemes = new WeakMap<Theme, NarrowThemes>();

function narrowThemesOf(theme: Theme): NarrowThemes {
  let themes = narrowThemes.get(theme);
  if (themes === undefined) {
    const raised = { ...theme.fontSizes };
    for (const key of Object.keys(raised) as (keyof Theme['fontSizes'])[]) raised[key] = Math.max(raised[key], NARROW_MIN_FONT_PX);
    raised.body = Math.max(raised.body, NARROW_READING_PX);
    raised.button = Math.max(raised.button, NARROW_READING_PX);
    const base: Theme = { ...theme, layout: 'narrow', width: NARROW_WIDTH, padding: Math.min(theme.padding, NARROW_PADDING), fontSizes: raised };
    themes = { base, byHeight: new Map(), heightByView: new LRUCache({ max: NARROW_HEIGHTS_KEPT }) };
    narrowThemes.set(theme, themes);
  }
  return themes;
}

/** The narrow theme of a block's theme at a given height (whole pixels, 60–1200 like a configured height). */
function narrowTheme(theme: Theme, height: number): Theme {
  const themes = narrowThemesOf(theme);
  const rounded = Math.min(1200, Math.max(60, Math.round(height)));
  let sized = themes.byHeight.get(rounded);
  if (sized === undefined) {
    sized = { ...themes.base, height: rounded };
    themes.byHeight.set(rounded, sized);
  }
  return sized;
}

/**
 * The theme to draw `view` with in `layout`: the block's own for the wide picture and for a kind
 * without a narrow drawing (it answers with its wide picture); else the narrow theme at the height
 * the kind asks for this view. A fallback item's panel (render/fallback-panel.ts) is drawn narrow
 * too, as tall as its text needs: a phone reads a held-back block's fallback like its live view.
 */
export function layoutTheme(view: ShownView, theme: Theme, layout: ImageLayout): Theme {
  if (layout !== 'narrow' || theme.layout === 'narrow') return theme;
  const themes = narrowThemesOf(theme);
  const base = themes.base;
  if (!isBlockView(view)) return narrowTheme(theme, fallbackPanelHeight(view, base));
  return (
    withKindOf(view, (kind, own) => {
      if (!kind.narrow) return undefined;
      const key = JSON.stringify(own);
      let height = themes.heightByView.get(key);
      if (height === undefined) {
        height = kind.narrow.height(own, base);
        themes.heightByView.set(key, height);
      }
      return narrowTheme(theme, height);
    }) ?? theme
  );
}

