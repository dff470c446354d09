import { bannerKind } from './banner';
import { calloutKind } from './callout';
import { countdownKind } from './countdown';
import { feedKind } from './feed';
import type { BlockKind } from './kind';
import { loyaltyKind } from './loyalty';
import { pollResultsKind } from './poll-results';
import { productKind } from './product';
import { recommendationsKind } from './recommendations';

/**
 * Every block kind the server knows, under its name. Adding a kind is one
 * folder (src/kinds/<kind>/) and one line here; the order is the order kinds
 * are listed in messages ("Expected one of: …").
 */
const registered = {
  countdown: countdownKind,
  product: productKind,
  recommendations: recommendationsKind,
  loyalty: loyaltyKind,
  callout: calloutKind,
  'poll-results': pollResultsKind,
  feed: feedKind,
  banner: bannerKind,
};

export type KindName = keyof typeof registered;

/** The view type a kind resolves to and draws. */
type ViewOfKind<Kind> = Kind extends BlockKind<string, infer View, any, any> ? View : never;

/** What a block resolves to: the view of one of the registered kinds, told apart by `kind`. */
export type BlockView = ViewOfKind<(typeof registered)[KindName]>;

/** A kind's own view, by the kind's name. */
export type ViewOf<Name extends KindName> = Extract<BlockView, { kind: Name }>;

/** A registered kind, seen through its name and its view (its config and prepared rules stay its own business). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a kind's config and prepared rules are opaque outside it
export type KindOf<Name extends KindName> = BlockKind<Name, ViewOf<Name>, any, any>;

/** One of the registered kinds: read what it declares; call its view functions through kinds/kind-of-view.ts. */
export type RegisteredKind = { [Name in KindName]: KindOf<Name> }[KindName];

/**
 * The registry, checked by the compiler: every entry is a complete kind (a
 * drawing, click slots, theme, samples…) registered under its own name, whose
 * views carry that name as their `kind`.
 */
export const blockKinds: { readonly [Name in KindName]: KindOf<Name> } = registered;

/** The registered kinds, in registry order. */
export const allKinds: readonly RegisteredKind[] = Object.values(blockKinds);

export function isKindName(name: unknown): name is KindName {
  return typeof name === 'string' && Object.hasOwn(blockKinds, name);
}
