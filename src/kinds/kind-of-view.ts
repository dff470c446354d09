import type { FallbackItem } from '../blocks/fallback-item';
import { FALLBACK_THEME_DEFAULTS, type KindThemeDefaults } from '../render/theme';
import type { ProductCardView } from './shared/product-card';
import { blockKinds, isKindName, type BlockView, type KindName, type KindOf, type ViewOf } from './registry';

/**
 * What a block's picture shows: its kind's view or, when it resolved to its
 * fallback, one of its fallback items (free-form config, drawn as a generic
 * panel by render/fallback-panel.ts).
 */
export type ShownView = BlockView | FallbackItem;

/** True for a registered kind's view; false for a fallback item. */
export function isBlockView(view: ShownView): view is BlockView {
  return isKindName(view.kind);
}

/** True for a view of the named kind. */
export function isViewOf<Name extends KindName>(view: ShownView, name: Name): view is ViewOf<Name> {
  return view.kind === name;
}

/** What `use` gets: a kind, and a view of that very kind. */
type KindAndView<Result> = <Name extends KindName>(kind: KindOf<Name>, view: ViewOf<Name>) => Result;

/** Calls `use` with the view's kind and the view typed as that kind's own. */
export function withKind<Result>(view: BlockView, use: KindAndView<Result>): Result {
  return useKind(view.kind, view, use);
}

/** withKind for what a picture shows: undefined for a fallback item. */
export function withKindOf<Result>(view: ShownView, use: KindAndView<Result>): Result | undefined {
  return isBlockView(view) ? useKind(view.kind, view, use) : undefined;
}

// Generic in the kind's name, so the compiler sees that the kind and the view belong together.
function useKind<Name extends KindName, Result>(name: Name, view: ViewOf<Name>, use: KindAndView<Result>): Result {
  return use(blockKinds[name], view);
}

const NO_CARDS: readonly ProductCardView[] = Object.freeze([]);

/** The product cards a view shows, in slot order; none for kinds without cards and for fallback items. */
export function productCardsOf(view: ShownView): readonly ProductCardView[] {
  return withKindOf(view, (kind, own) => kind.productCards?.of(own)) ?? NO_CARDS;
}

/** The other pictures a view shows (BlockKind.pictures, a banner's background); none for most kinds and for fallback items. */
export function picturesOf(view: ShownView): readonly (string | null)[] {
  return withKindOf(view, (kind, own) => kind.pictures?.(own)) ?? NO_PICTURES;
}

const NO_PICTURES: readonly (string | null)[] = Object.freeze([]);

/** True while a view changes every second (a running countdown): its GIF animates and its rendering is short-lived. */
export function isTicking(view: ShownView): boolean {
  return withKindOf(view, (kind, own) => kind.animation?.ticking(own)) ?? false;
}

/** The theme defaults of what draws the view: its kind's, or the fallback panel's for a fallback item. */
export function themeDefaultsOf(view: ShownView): KindThemeDefaults {
  return withKindOf(view, (kind) => kind.theme) ?? FALLBACK_THEME_DEFAULTS;
}
