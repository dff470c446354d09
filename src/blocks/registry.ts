import { countdownKind } from './countdown';
import type { AnyBlockKind } from './kind';
import { loyaltyKind } from './loyalty';
import { productKind } from './product';
import { recommendationsKind } from './recommendations';

/** Every block kind the server knows. Adding a kind means adding one module and one line here. */
export const blockKinds: ReadonlyMap<string, AnyBlockKind> = new Map<string, AnyBlockKind>(
  [countdownKind, productKind, recommendationsKind, loyaltyKind].map((kind) => [kind.name, kind]),
);
